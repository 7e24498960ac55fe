// The `redis` API of scripts (redis.call, redis.pcall, redis.log, ...) and of FUNCTION LOAD
// (redis.register_function), and Redis's math.random.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "net/log.h"
#include "scripting/lua_convert.h"
#include "scripting/lua_internal.h"
#include "server/acl.h"
#include "server/client.h"
#include "server/command.h"
#include "server/dispatch.h"
#include "server/eviction.h"
#include "server/server.h"

namespace stmkv::scripting {
namespace {

// --- redis.call / redis.pcall --------------------------------------------------------------

enum class CallStatus { kResult, kError, kAbort };

const CommandSpec* resolve(const CommandTable& table, const std::vector<std::string>& argv) {
  const CommandSpec* spec = table.find(argv[0]);
  if (spec == nullptr) return nullptr;
  if (!spec->subcommands.empty() && (spec->handler == nullptr || argv.size() >= 2)) {
    if (argv.size() < 2) return spec;  // an arity error below
    return CommandTable::find_sub(*spec, argv[1]);
  }
  return spec;
}

bool arity_ok(const CommandSpec& spec, size_t argc) {
  return spec.arity >= 0 ? argc == size_t(spec.arity) : argc >= size_t(-spec.arity);
}

// Everything holding C++ objects lives here, so that the caller may lua_error() safely.
CallStatus call_impl(lua_State* L, LuaEngine::Run* run) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_error_table(L, "Please specify at least one argument for this redis lib call");
    return CallStatus::kError;
  }
  std::vector<std::string> argv;
  argv.reserve(size_t(argc));
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", double(lua_tonumber(L, j)));
      argv.emplace_back(buf, size_t(n));
    } else if (lua_type(L, j) == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, j, &len);
      argv.emplace_back(s, len);
    } else {
      lua_settop(L, 0);
      push_error_table(L, "Lua redis lib command arguments must be strings or integers");
      return CallStatus::kError;
    }
  }
  lua_settop(L, 0);
  CommandContext& ctx = *run->ctx;
  const CommandSpec* spec = resolve(ctx.server.commands(), argv);
  if (spec == nullptr) {
    push_error_table(L, "Unknown Redis command called from script");
    return CallStatus::kError;
  }
  if ((!spec->subcommands.empty() && spec->handler == nullptr) || !arity_ok(*spec, argv.size())) {
    push_error_table(L, "Wrong number of args calling Redis command from script");
    return CallStatus::kError;
  }
  if (spec->flags & kCmdNoscript) {
    push_error_table(L, "This Redis command is not allowed from script");
    return CallStatus::kError;
  }
  std::vector<std::string_view> views(argv.begin(), argv.end());
  // The script's commands need the permissions of the user running it (Redis 7.0's texts; an
  // ACL LOG entry with context "lua" once the script commits).
  if (const AclUser* user = ctx.client.user.get(); user != nullptr && !user->unrestricted()) {
    size_t errpos = 0;
    AclDenial d = acl_check(*user, *spec, views, &errpos);
    if (d != AclDenial::kNone) {
      AclLogEntry e;
      e.reason = d == AclDenial::kCommand ? "command" : d == AclDenial::kKey ? "key" : "channel";
      e.context = "lua";
      e.object = d == AclDenial::kCommand ? spec->full_name : std::string(views[errpos]);
      e.username = user->name;
      if (ctx.in_tx()) {
        ctx.tx().on_commit([&server = ctx.server, e = std::move(e)]() mutable {
          server.acl().log(std::move(e), now_ms());
        });
      }
      push_error_table(
          L, d == AclDenial::kCommand
                 ? "The user executing the script can't run this command or subcommand"
             : d == AclDenial::kKey
                 ? "The user executing the script can't access at least one of the keys "
                   "mentioned in the command arguments"
                 : "The user executing the script can't publish to the channel mentioned in the "
                   "command");
      return CallStatus::kError;
    }
  }
  const bool wrote_before = run->wrote;
  if (spec->flags & kCmdWrite) {
    if (run->opt->read_only) {
      push_error_table(L, "Write commands are not allowed from read-only scripts.");
      return CallStatus::kError;
    }
    run->wrote = true;
    run->slot->wrote.store(true, std::memory_order_relaxed);
  }
  // maxmemory (server/eviction.h): a deny-oom command fails when the server was out of memory
  // as the script started, unless the script already wrote or declared allow-oom (Redis 7.0's
  // scriptVerifyOOM).
  if ((spec->flags & kCmdDenyOom) && !wrote_before && (run->opt->flags & kFlagAllowOom) == 0 &&
      oom_at_command_start()) {
    push_error_table(L, "-OOM command not allowed when used memory > 'maxmemory'.");
    return CallStatus::kError;
  }
  protocol::ReplyWriter out(run->resp);
  try {
    // As in EXEC: commands without kCmdTx (PING, TIME, SELECT, ...) run outside the
    // transaction's barriers.
    stm::Tx* tx = (spec->flags & kCmdTx) ? ctx.tx_ : nullptr;
    run_nested_command(ctx.worker, ctx.client, *spec, views, out, ctx.now_ms, tx, &run->hits,
                       &run->misses);
  } catch (const stm::Abort& a) {
    run->abort = a;
    run->abort_pending = true;
    return CallStatus::kAbort;
  } catch (const std::bad_alloc&) {
    push_error_table(L, "-OOM command not allowed when used memory > 'maxmemory'.");
    return CallStatus::kError;
  }
  bool failed = out.view().starts_with("-");
  run->calls.emplace_back(spec->id, failed);
  push_reply(L, out.view());
  return failed ? CallStatus::kError : CallStatus::kResult;
}

int redis_generic_call(lua_State* L, bool raise) {
  LuaEngine::Run* run = current_run(L);
  if (run == nullptr || run->ctx == nullptr) {
    raise_error_table(L, "redis.call/pcall can only be called inside a script invocation");
  }
  if (run->abort_pending) raise_abort(L);
  CallStatus st = call_impl(L, run);
  if (st == CallStatus::kAbort) raise_abort(L);
  if (st == CallStatus::kError && raise) return lua_error(L);
  return 1;
}

int lua_redis_call(lua_State* L) { return redis_generic_call(L, true); }
int lua_redis_pcall(lua_State* L) { return redis_generic_call(L, false); }

// --- the rest of the redis API -----------------------------------------------------------

int lua_redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) raise_error_table(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[41];
  {
    std::string h = sha1_hex(s == nullptr ? std::string_view() : std::string_view(s, len));
    std::memcpy(hex, h.c_str(), 41);
  }
  lua_pushstring(L, hex);
  return 1;
}

int lua_redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error_table(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  if (len > 0 && s[0] == '-') {
    push_error_table(L, std::string_view(s, len));
  } else {
    lua_pushstring(L, "-");
    lua_pushvalue(L, 1);
    lua_concat(L, 2);
    s = lua_tolstring(L, -1, &len);
    push_error_table(L, std::string_view(s, len));
  }
  return 1;
}

int lua_redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error_table(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

// Logs now outside a transaction, at commit inside one.
void log_line(LuaEngine::Run* run, LogLevel level, std::string text) {
  if (run != nullptr && run->ctx != nullptr && run->ctx->in_tx()) {
    run->ctx->tx().on_commit([level, text = std::move(text)] { server_log(level, text); });
  } else {
    server_log(level, text);
  }
}

int lua_redis_log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) raise_error_table(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) raise_error_table(L, "First argument must be a number (log level).");
  int level = int(lua_tonumber(L, 1));
  if (level < 0 || level > 3) raise_error_table(L, "Invalid debug level.");
  LuaEngine::Run* run = current_run(L);
  {
    std::string text;
    for (int j = 2; j <= argc; ++j) {
      size_t len;
      const char* s = lua_tolstring(L, j, &len);
      if (s == nullptr) continue;
      if (j != 2) text += ' ';
      text.append(s, len);
    }
    log_line(run, static_cast<LogLevel>(level), std::move(text));
  }
  return 0;
}

int lua_redis_setresp(lua_State* L) {
  LuaEngine::Run* run = current_run(L);
  if (run == nullptr) {
    raise_error_table(L, "redis.setresp can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) raise_error_table(L, "redis.setresp() requires one argument.");
  int resp = int(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) raise_error_table(L, "RESP version must be 2 or 3.");
  run->resp = resp;
  return 0;
}

int lua_redis_set_repl(lua_State* L) {
  if (current_run(L) == nullptr) {
    raise_error_table(L, "redis.set_repl can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) raise_error_table(L, "redis.set_repl() requires two arguments.");
  int flags = int(lua_tonumber(L, -1));
  if ((flags & ~3) != 0) {
    raise_error_table(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;  // accepted: a script's effects are recorded as the commands it ran
}

int lua_push_true(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int lua_push_false(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int lua_nothing(lua_State*) { return 0; }

bool valid_function_name(const char* s, size_t len) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; ++i) {
    char c = s[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...}: FUNCTION LOAD time only.
int lua_register_function(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 1 && lua_istable(L, 1)) {
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      const char* k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      if (std::strcmp(k, "function_name") != 0 && std::strcmp(k, "callback") != 0 &&
          std::strcmp(k, "flags") != 0 && std::strcmp(k, "description") != 0) {
        raise_error_table(L, "unknown argument given to redis.register_function");
      }
    }
    lua_getfield(L, 1, "function_name");
    lua_getfield(L, 1, "callback");
    lua_getfield(L, 1, "flags");
    lua_getfield(L, 1, "description");
    lua_remove(L, 1);
  } else if (argc == 2) {
    lua_pushnil(L);
    lua_pushnil(L);
  } else {
    raise_error_table(L, "wrong number of arguments to redis.register_function");
  }
  // Stack: name, callback, flags, description.
  if (lua_type(L, 1) != LUA_TSTRING) {
    raise_error_table(L,
                      "function_name argument given to redis.register_function must be a string");
  }
  if (!lua_isfunction(L, 2)) {
    raise_error_table(L, "callback argument given to redis.register_function must be a function");
  }
  uint32_t flags = 0;
  if (!lua_isnil(L, 3)) {
    if (!lua_istable(L, 3)) {
      raise_error_table(
          L,
          "flags argument to redis.register_function must be a table representing function flags");
    }
    for (int j = 1;; ++j) {
      lua_rawgeti(L, 3, j);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        break;
      }
      if (lua_type(L, -1) != LUA_TSTRING) raise_error_table(L, "unknown flag given");
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      uint32_t f = parse_flag(std::string_view(s, len));
      if (f == 0 || f == kFlagEvalCompat) raise_error_table(L, "unknown flag given");
      flags |= f;
      lua_pop(L, 1);
    }
  }
  if (!lua_isnil(L, 4) && lua_type(L, 4) != LUA_TSTRING) {
    raise_error_table(L, "description argument given to redis.register_function must be a string");
  }
  size_t nlen;
  const char* name = lua_tolstring(L, 1, &nlen);
  if (!valid_function_name(name, nlen)) {
    raise_error_table(L,
                      "Function names can only contain letters, numbers, or underscores(_) and "
                      "must be at least one character long");
  }
  registry_get(L, &kLoadingKey);
  if (!lua_istable(L, -1)) {
    raise_error_table(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) raise_error_table(L, "Function already exists in the library");
  lua_pop(L, 1);
  // loading[name] = {callback=, flags=, description=, order=}
  int order = 1;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++order;
  }
  lua_pushvalue(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, "callback");
  lua_pushnumber(L, flags);
  lua_setfield(L, -2, "flags");
  lua_pushvalue(L, 4);
  lua_setfield(L, -2, "description");
  lua_pushnumber(L, order);
  lua_setfield(L, -2, "order");
  lua_rawset(L, -3);
  return 0;
}

// --- math.random as Redis's (rand48: the same sequence on every platform) ------------------

struct Rand48 {
  uint64_t x = 0x1234ABCD330Eull;  // Redis's rand.c starting state
  void seed(int32_t s) { x = ((uint64_t(uint32_t(s)) << 16) | 0x330E) & ((uint64_t(1) << 48) - 1); }
  int32_t next() {
    x = (0x5DEECE66Dull * x + 0xB) & ((uint64_t(1) << 48) - 1);
    return int32_t(x >> 17);
  }
};
thread_local Rand48 rand48;

int lua_math_random(lua_State* L) {
  constexpr int32_t kMax = 0x7fffffff;
  lua_Number r = lua_Number(rand48.next() % kMax) / lua_Number(kMax);
  switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r); break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default: return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int lua_math_randomseed(lua_State* L) {
  rand48.seed(luaL_checkint(L, 1));
  return 0;
}

void set_fn(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}
void set_num(lua_State* L, const char* name, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}
void set_common_api(lua_State* L) {
  set_fn(L, "log", lua_redis_log);
  set_fn(L, "setresp", lua_redis_setresp);
  set_num(L, "LOG_DEBUG", 0);
  set_num(L, "LOG_VERBOSE", 1);
  set_num(L, "LOG_NOTICE", 2);
  set_num(L, "LOG_WARNING", 3);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  set_num(L, "REDIS_VERSION_NUM", 0x07000f);
}
}  // namespace

void set_redis_api(lua_State* L) {
  set_common_api(L);
  set_fn(L, "call", lua_redis_call);
  set_fn(L, "pcall", lua_redis_pcall);
  set_fn(L, "sha1hex", lua_redis_sha1hex);
  set_fn(L, "error_reply", lua_redis_error_reply);
  set_fn(L, "status_reply", lua_redis_status_reply);
  set_fn(L, "set_repl", lua_redis_set_repl);
  set_fn(L, "replicate_commands", lua_push_true);
  set_fn(L, "breakpoint", lua_push_false);
  set_fn(L, "debug", lua_nothing);
  set_fn(L, "acl_check_cmd", lua_push_true);
  set_num(L, "REPL_NONE", 0);
  set_num(L, "REPL_AOF", 1);
  set_num(L, "REPL_SLAVE", 2);
  set_num(L, "REPL_REPLICA", 2);
  set_num(L, "REPL_ALL", 3);
}

void set_load_api(lua_State* L) {
  set_common_api(L);
  set_fn(L, "register_function", lua_register_function);
}

void set_math_random(lua_State* L) {
  set_fn(L, "random", lua_math_random);
  set_fn(L, "randomseed", lua_math_randomseed);
}

}  // namespace stmkv::scripting
