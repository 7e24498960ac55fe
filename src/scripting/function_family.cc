// FCALL, FCALL_RO and FUNCTION: libraries of Lua functions (Redis 7.0 functions), shared by
// all workers. FCALL is a kCmdTx command like EVAL: the function runs inside the command's
// transaction, in parallel with functions and scripts on other workers.
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "commands/match.h"
#include "commands/util.h"
#include "scripting/families.h"
#include "scripting/function_dump.h"
#include "scripting/lua_engine.h"
#include "scripting/scripting.h"
#include "server/server.h"

namespace stmkv::scripting {
namespace {

bool valid_library_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The library's metadata line ("#!lua name=mylib"). Returns "" or the error reply.
std::string parse_library_metadata(std::string_view code, std::string* name) {
  if (!code.starts_with("#!")) return "ERR Missing library metadata";
  size_t nl = code.find('\n');
  if (nl == std::string_view::npos) return "ERR Invalid library metadata";
  std::string_view line = code.substr(0, nl);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) parts.push_back(line.substr(i, j - i));
    i = j;
  }
  if (parts.empty()) return "ERR Invalid library metadata";
  std::string_view engine = parts[0].substr(2);
  bool have_name = false;
  for (size_t p = 1; p < parts.size(); ++p) {
    if (parts[p].size() >= 5 && iequals(parts[p].substr(0, 5), "name=")) {
      if (have_name) return "ERR Invalid metadata value, name argument was given multiple times";
      have_name = true;
      name->assign(parts[p].substr(5));
      continue;
    }
    return "ERR Invalid metadata value given: " + std::string(parts[p]);
  }
  if (!have_name) return "ERR Library name was not given";
  if (!valid_library_name(*name)) {
    return "ERR Library names can only contain letters, numbers, or underscores(_) and must be "
           "at least one character long";
  }
  if (!iequals(engine, "lua")) return "ERR Engine '" + std::string(engine) + "' not found";
  return "";
}

// Parses and runs a library's code on this worker (FUNCTION LOAD, RESTORE). Returns "" or the
// error reply; lib gets its name, code and functions.
std::string create_library(Server& server, WorkerContext& worker, std::string_view code,
                           bool replace, Library* lib) {
  std::string err = parse_library_metadata(code, &lib->name);
  if (!err.empty()) return err;
  Scripting& s = scripting_of(server);
  if (!replace && s.functions.library(lib->name) != nullptr) {
    return "ERR Library '" + lib->name + "' already exists";
  }
  lib->code.assign(code);
  return s.engine(worker).load_library(code, lib);
}

std::string create_library(CommandContext& ctx, std::string_view code, bool replace, Library* lib) {
  return create_library(ctx.server, ctx.worker, code, replace, lib);
}

// Parses, runs and checks a set of libraries (FUNCTION RESTORE, an RDB file), then installs
// them all or none (policy: 0 APPEND, 1 REPLACE, 2 FLUSH).
std::string restore_libraries(Server& server, WorkerContext& worker,
                              const std::vector<std::string>& codes, int policy) {
  std::string err;
  std::vector<Library> libs;
  for (size_t i = 0; err.empty() && i < codes.size(); ++i) {
    Library lib;
    err = create_library(server, worker, codes[i], true, &lib);
    for (const Library& other : libs) {
      if (err.empty() && other.name == lib.name) {
        err = "ERR Library '" + lib.name + "' already exists";
      }
    }
    libs.push_back(std::move(lib));
  }
  if (err.empty()) err = scripting_of(server).functions.restore(std::move(libs), policy);
  return err;
}

void fcall_generic(CommandContext& ctx, bool read_only) {
  Scripting& s = scripting_of(ctx.server);
  FunctionStore::Found found;
  if (!s.functions.find(ctx.arg(1), &found)) {
    ctx.out.add_error("ERR Function not found");
    return;
  }
  size_t nkeys;
  if (!parse_numkeys(ctx, &nkeys)) return;
  const FunctionInfo& f = *found.function;
  if (read_only && (f.flags & kFlagNoWrites) == 0) {
    ctx.out.add_error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  RunOptions opt;
  opt.read_only = read_only || (f.flags & kFlagNoWrites) != 0;
  opt.is_function = true;
  opt.name = f.name;
  opt.flags = f.flags;
  std::span<const std::string_view> rest = ctx.argv.subspan(3);
  int64_t start = now_us();
  s.engine(ctx.worker)
      .run_function(ctx, *found.library, f, opt, rest.first(nkeys), rest.subspan(nkeys));
  record_on_commit(ctx, start, f.name);
}

void cmd_fcall(CommandContext& ctx) { fcall_generic(ctx, false); }
void cmd_fcall_ro(CommandContext& ctx) { fcall_generic(ctx, true); }

void cmd_function_load(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  while (pos < ctx.argc() - 1) {
    std::string_view a = ctx.arg(pos++);
    if (iequals(a, "replace")) {
      replace = true;
      continue;
    }
    ctx.out.add_error("ERR Unknown option given: " + std::string(a));
    return;
  }
  if (pos >= ctx.argc()) {
    ctx.out.add_error("ERR Function code is missing");
    return;
  }
  Library lib;
  std::string err = create_library(ctx, ctx.arg(pos), replace, &lib);
  if (err.empty()) err = scripting_of(ctx.server).functions.add(lib, replace);
  if (!err.empty()) {
    ctx.out.add_error(err);
    return;
  }
  ctx.out.add_bulk(lib.name);
}

void cmd_function_delete(CommandContext& ctx) {
  if (!scripting_of(ctx.server).functions.remove(ctx.arg(2))) {
    ctx.out.add_error("ERR Library not found");
    return;
  }
  ctx.out.add_ok();
}

void cmd_function_flush(CommandContext& ctx) {
  if (ctx.argc() > 3 ||
      (ctx.argc() == 3 && !iequals(ctx.arg(2), "sync") && !iequals(ctx.arg(2), "async"))) {
    ctx.out.add_error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    return;
  }
  scripting_of(ctx.server).functions.flush();
  ctx.out.add_ok();
}

void cmd_function_list(CommandContext& ctx) {
  bool with_code = false;
  std::string_view pattern;
  bool have_pattern = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (iequals(a, "withcode") && !with_code) {
      with_code = true;
    } else if (iequals(a, "libraryname") && !have_pattern) {
      if (i + 1 >= ctx.argc()) {
        ctx.out.add_error("ERR library name argument was not given");
        return;
      }
      pattern = ctx.arg(++i);
      have_pattern = true;
    } else {
      ctx.out.add_error("ERR Unknown argument " + std::string(a));
      return;
    }
  }
  std::vector<std::shared_ptr<const Library>> libs = scripting_of(ctx.server).functions.list();
  size_t mark = ctx.out.begin_deferred_len();
  size_t n = 0;
  for (const auto& lib : libs) {
    if (have_pattern && !string_match(pattern, lib->name)) continue;
    ++n;
    ctx.out.add_map_len(with_code ? 4 : 3);
    ctx.out.add_bulk("library_name");
    ctx.out.add_bulk(lib->name);
    ctx.out.add_bulk("engine");
    ctx.out.add_bulk("LUA");
    ctx.out.add_bulk("functions");
    ctx.out.add_array_len(lib->functions.size());
    // Redis lists a library's functions from its dictionary: newest registration first.
    for (auto it = lib->functions.rbegin(); it != lib->functions.rend(); ++it) {
      ctx.out.add_map_len(3);
      ctx.out.add_bulk("name");
      ctx.out.add_bulk(it->name);
      ctx.out.add_bulk("description");
      if (it->has_description) {
        ctx.out.add_bulk(it->description);
      } else {
        ctx.out.add_null();
      }
      ctx.out.add_bulk("flags");
      std::vector<std::string_view> names = flag_names(it->flags);
      ctx.out.add_set_len(names.size());
      for (std::string_view f : names) ctx.out.add_simple_string(f);
    }
    if (with_code) {
      ctx.out.add_bulk("library_code");
      ctx.out.add_bulk(lib->code);
    }
  }
  ctx.out.set_deferred_array_len(mark, n);
}

void cmd_function_dump(CommandContext& ctx) {
  ctx.out.add_bulk(dump_libraries(scripting_of(ctx.server).functions.list()));
}

void cmd_function_restore(CommandContext& ctx) {
  int policy = 0;  // APPEND
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (iequals(p, "append")) {
      policy = 0;
    } else if (iequals(p, "replace")) {
      policy = 1;
    } else if (iequals(p, "flush")) {
      policy = 2;
    } else {
      ctx.out.add_error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  } else if (ctx.argc() > 4) {
    ctx.reply_syntax_error();
    return;
  }
  std::vector<std::string> codes;
  std::string err = parse_dump(ctx.arg(2), &codes);
  if (err.empty()) err = restore_libraries(ctx.server, ctx.worker, codes, policy);
  if (!err.empty()) {
    ctx.out.add_error(err);
    return;
  }
  ctx.out.add_ok();
}

void cmd_function_stats(CommandContext& ctx) {
  Scripting& s = scripting_of(ctx.server);
  ctx.out.add_map_len(2);
  ctx.out.add_bulk("running_script");
  bool shown = false;
  for (int i = 0; i < s.nworkers() && !shown; ++i) {
    RunningScript& r = s.running(i);
    if (!r.running.load(std::memory_order_acquire) || !r.is_function.load()) continue;
    std::string name, command;
    {
      std::lock_guard<std::mutex> g(r.mu);
      name = r.name;
      command = r.command;
    }
    shown = true;
    ctx.out.add_map_len(3);
    ctx.out.add_bulk("name");
    ctx.out.add_bulk(name);
    ctx.out.add_bulk("command");
    std::vector<std::string_view> words;
    size_t i0 = 0;
    while (i0 <= command.size()) {
      size_t sp = command.find(' ', i0);
      if (sp == std::string::npos) sp = command.size();
      words.push_back(std::string_view(command).substr(i0, sp - i0));
      i0 = sp + 1;
    }
    ctx.out.add_array_len(words.size());
    for (std::string_view w : words) ctx.out.add_bulk(w);
    ctx.out.add_bulk("duration_ms");
    ctx.out.add_integer((now_us() - r.start_us.load()) / 1000);
  }
  if (!shown) ctx.out.add_null();
  ctx.out.add_bulk("engines");
  ctx.out.add_map_len(1);
  ctx.out.add_bulk("LUA");
  ctx.out.add_map_len(2);
  ctx.out.add_bulk("libraries_count");
  ctx.out.add_integer(int64_t(s.functions.library_count()));
  ctx.out.add_bulk("functions_count");
  ctx.out.add_integer(int64_t(s.functions.function_count()));
}

void cmd_function_kill(CommandContext& ctx) { kill_scripts(ctx, true); }

void cmd_function_help(CommandContext& ctx) {
  reply_help(
      ctx,
      {
          "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "LOAD [REPLACE] <FUNCTION CODE>",
          "    Create a new library with the given library name and code.",
          "DELETE <LIBRARY NAME>",
          "    Delete the given library.",
          "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
          "    Return general information on all the libraries:",
          "    * Library name",
          "    * The engine used to run the Library",
          "    * Library description",
          "    * Functions list",
          "    * Library code (if WITHCODE is given)",
          "    It also possible to get only function that matches a pattern using LIBRARYNAME "
          "argument.",
          "STATS",
          "    Return information about the current function running:",
          "    * Function name",
          "    * Command used to run the function",
          "    * Duration in MS that the function is running",
          "    If no function is running, return nil",
          "    In addition, returns a list of available engines.",
          "KILL",
          "    Kill the current running function.",
          "FLUSH [ASYNC|SYNC]",
          "    Delete all the libraries.",
          "    When called without the optional mode argument, the behavior is determined by the",
          "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
          "    * ASYNC: Asynchronously flush the libraries.",
          "    * SYNC: Synchronously flush the libraries.",
          "DUMP",
          "    Return a serialized payload representing the current libraries, can be restored "
          "using FUNCTION RESTORE command",
          "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
          "    Restore the libraries represented by the given payload, it is possible to give a "
          "restore policy to",
          "    control how to handle existing libraries (default APPEND):",
          "    * FLUSH: delete all existing libraries.",
          "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
          "abort.",
          "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
          "replace the old",
          "      libraries with the new libraries (notice that even on this option there is a "
          "chance of failure",
          "      in case of functions name collision with another library).",
          "HELP",
          "    Prints this help.",
      });
}

}  // namespace

std::vector<std::string> function_library_codes(Server& server) {
  std::vector<std::string> codes;
  for (const auto& lib : scripting_of(server).functions.list()) codes.push_back(lib->code);
  return codes;
}

std::string load_function_libraries(Server& server, WorkerContext& worker,
                                    const std::vector<std::string>& codes, bool replace) {
  return restore_libraries(server, worker, codes, replace ? 1 : 0);
}

void register_function_commands(CommandTable& t) {
  constexpr uint32_t kCall = kCmdNoscript | kCmdStale | kCmdSkipMonitor | kCmdTx;
  constexpr uint64_t kAcl = kAclSlow | kAclScripting;
  constexpr uint64_t kAclW = kAclWrite | kAclSlow | kAclScripting;
  t.add({.name = "fcall",
         .arity = -3,
         .flags = kCall,
         .acl = kAcl,
         .handler = cmd_fcall,
         .group = "scripting",
         .since = "7.0.0",
         .summary = "Invoke a function",
         .complexity = "Depends on the function that is executed.",
         .syntax = "function numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "fcall_ro",
         .arity = -3,
         .flags = kCall | kCmdReadonly,
         .acl = kAcl,
         .handler = cmd_fcall_ro,
         .group = "scripting",
         .since = "7.0.0",
         .summary = "Invoke a read-only function",
         .complexity = "Depends on the function that is executed.",
         .syntax = "function numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "function",
         .arity = -2,
         .acl = kAclSlow,
         .group = "scripting",
         .since = "7.0.0",
         .summary = "A container for function commands",
         .complexity = "Depends on subcommand.",
         .syntax = "",
         .subcommands = {
             {.name = "delete",
              .arity = 3,
              .flags = kCmdWrite | kCmdNoscript,
              .acl = kAclW,
              .handler = cmd_function_delete,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Delete a function by name",
              .complexity = "O(1)",
              .syntax = "library-name"},
             {.name = "dump",
              .arity = 2,
              .flags = kCmdNoscript,
              .acl = kAcl,
              .handler = cmd_function_dump,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Dump all functions into a serialized binary payload",
              .complexity = "O(N) where N is the number of functions",
              .syntax = ""},
             {.name = "flush",
              .arity = -2,
              .flags = kCmdWrite | kCmdNoscript,
              .acl = kAclW,
              .handler = cmd_function_flush,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Deleting all functions",
              .complexity = "O(N) where N is the number of functions deleted",
              .syntax = "[ASYNC|SYNC]"},
             {.name = "help",
              .arity = 2,
              .flags = kCmdLoading | kCmdStale,
              .acl = kAcl,
              .handler = cmd_function_help,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Show helpful text about the different subcommands",
              .complexity = "O(1)",
              .syntax = ""},
             {.name = "kill",
              .arity = 2,
              .flags = kCmdNoscript | kCmdAllowBusy,
              .acl = kAcl,
              .handler = cmd_function_kill,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Kill the function currently in execution.",
              .complexity = "O(1)",
              .syntax = ""},
             {.name = "list",
              .arity = -2,
              .flags = kCmdNoscript,
              .acl = kAcl,
              .handler = cmd_function_list,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "List information about all the functions",
              .complexity = "O(N) where N is the number of functions",
              .syntax = "[LIBRARYNAME library-name-pattern] [WITHCODE]"},
             {.name = "load",
              .arity = -3,
              .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript,
              .acl = kAclW,
              .handler = cmd_function_load,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Create a function with the given arguments (name, code, description)",
              .complexity = "O(1) (considering compilation time is redundant)",
              .syntax = "[REPLACE] function-code"},
             {.name = "restore",
              .arity = -3,
              .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript,
              .acl = kAclW,
              .handler = cmd_function_restore,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Restore all the functions on the given payload",
              .complexity = "O(N) where N is the number of functions on the payload",
              .syntax = "serialized-value [FLUSH|APPEND|REPLACE]"},
             {.name = "stats",
              .arity = 2,
              .flags = kCmdNoscript | kCmdAllowBusy,
              .acl = kAcl,
              .handler = cmd_function_stats,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "Return information about the function currently running (name, "
                         "description, duration)",
              .complexity = "O(1)",
              .syntax = ""},
         }});
}

}  // namespace stmkv::scripting
