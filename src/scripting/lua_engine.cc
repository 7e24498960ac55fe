#include "scripting/lua_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "net/log.h"
#include "scripting/lua_convert.h"
#include "scripting/lua_internal.h"
#include "scripting/lua_libs.h"
#include "server/client.h"
#include "server/command.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace stmkv::scripting {

// Registry keys (their addresses are unique light userdata).
char kRunKey;
char kRealGlobalsKey;
char kProxyGlobalsKey;
char kProxiesKey;
char kScriptsKey;
char kLibrariesKey;
char kLoadingKey;
char kErrorHandlerKey;
char kRedisApiKey;
char kRedisLoadApiKey;
// The error value that carries an stm::Abort out of the script (never seen by the script).
char kAbortSentinel;

constexpr int kHookCount = 100000;

void registry_get(lua_State* L, const char* key) {
  lua_pushlightuserdata(L, const_cast<char*>(key));
  lua_rawget(L, LUA_REGISTRYINDEX);
}
// Sets registry[key] = the value at the top (popped).
void registry_set(lua_State* L, const char* key) {
  lua_pushlightuserdata(L, const_cast<char*>(key));
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

LuaEngine::Run* current_run(lua_State* L) {
  registry_get(L, &kRunKey);
  auto* run = static_cast<LuaEngine::Run*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return run;
}

[[noreturn]] void raise_error_table(lua_State* L, const char* msg) {
  push_error_table(L, msg);
  lua_error(L);
  __builtin_unreachable();
}

[[noreturn]] void raise_abort(lua_State* L) {
  lua_pushlightuserdata(L, &kAbortSentinel);
  lua_error(L);
  __builtin_unreachable();
}

bool is_sentinel(lua_State* L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &kAbortSentinel;
}

// The same text for SCRIPT KILL and FUNCTION KILL, as Redis 7.0.
const char* kill_message(LuaEngine::Run*) { return "Script killed by user with SCRIPT KILL..."; }

// After a protected call failed: an abort or a kill must keep unwinding.
void rethrow_if_unwinding(lua_State* L) {
  LuaEngine::Run* run = current_run(L);
  if (run == nullptr) return;
  if (run->abort_pending) raise_abort(L);
  if (run->killed) raise_error_table(L, kill_message(run));
}

namespace {

// --- read-only globals -------------------------------------------------------------------

int proxy_index(lua_State* L) {
  // (proxy, key): the real table's value, or an error for a missing name.
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__real");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) return 1;
  if (!lua_isstring(L, 2)) return 1;
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

int proxy_newindex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// Pushes a read-only proxy of the table at idx (reads go to it, writes fail).
void push_proxy(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__real");
  lua_pushcfunction(L, proxy_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, proxy_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_newtable(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  // proxies[proxy] = real (pairs, next, rawget, rawset).
  registry_get(L, &kProxiesKey);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// Replaces the value at idx by its real table when it is a proxy.
void unproxy(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return;
  registry_get(L, &kProxiesKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, idx);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

bool is_proxy(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  registry_get(L, &kProxiesKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  bool p = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return p;
}

int lua_next_unproxied(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  unproxy(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int lua_pairs_unproxied(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  unproxy(L, 1);
  lua_pushcfunction(L, lua_next_unproxied);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int lua_rawset_checked(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (is_proxy(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

int lua_rawget_unproxied(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  unproxy(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

// --- pcall / xpcall / coroutine.resume that let aborts and kills through -----------------

// Redis's pcall: an error table with an `err` field is returned as that string.
int lua_pcall_redis(lua_State* L) {
  int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    if (is_sentinel(L, -1)) lua_error(L);
    rethrow_if_unwinding(L);
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

int lua_xpcall_redis(lua_State* L) {
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  lua_insert(L, 1);  // handler, f
  int status = lua_pcall(L, 0, LUA_MULTRET, 1);
  if (status != 0) rethrow_if_unwinding(L);
  lua_pushboolean(L, status == 0);
  lua_replace(L, 1);
  return lua_gettop(L);
}

int lua_resume_redis(lua_State* L) {
  // The original coroutine.resume is upvalue 1.
  int argc = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, argc, LUA_MULTRET);
  if (lua_gettop(L) >= 1 && lua_isboolean(L, 1) && !lua_toboolean(L, 1)) {
    if (lua_gettop(L) >= 2 && is_sentinel(L, 2)) raise_abort(L);
    rethrow_if_unwinding(L);
  }
  return lua_gettop(L);
}

// The error handler of a script's protected call: a table {err=, source=, line=} (as Redis's
// __redis__err__handler: the position of the Lua code that raised the error).
int lua_error_handler(lua_State* L) {
  if (is_sentinel(L, 1)) return 1;
  lua_Debug ar;
  bool have = false;
  if (lua_getstack(L, 1, &ar)) {
    lua_getinfo(L, "nSl", &ar);
    have = true;
    if (std::strcmp(ar.what, "C") == 0) {
      have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
    }
  }
  if (!lua_istable(L, 1)) {
    lua_pushstring(L, "ERR ");
    if (lua_isnil(L, 1)) {
      lua_pushstring(L, "nil");
    } else if (lua_isstring(L, 1)) {
      lua_pushvalue(L, 1);
    } else if (lua_isboolean(L, 1)) {
      lua_pushstring(L, lua_toboolean(L, 1) ? "true" : "false");
    } else {
      lua_pushfstring(L, "%s: %p", luaL_typename(L, 1), lua_topointer(L, 1));
    }
    lua_concat(L, 2);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  lua_settop(L, 1);
  return 1;
}

// FUNCTION LOAD runs a library's code for at most this long (Redis 7.0's LOAD_TIMEOUT_MS).
constexpr int64_t kLoadTimeoutUs = 500 * 1000;
thread_local int64_t t_load_deadline_us = 0;

void load_hook(lua_State* L, lua_Debug*) {
  if (now_us() <= t_load_deadline_us) return;
  lua_sethook(L, load_hook, LUA_MASKLINE, 0);
  raise_error_table(L, "FUNCTION LOAD timeout");
}

// Whether another transaction (an inevitable one) asked the script's transaction to abort; a
// long script that reaches no barrier must still give way. Keeps the Abort for the rethrow.
bool transaction_doomed(LuaEngine::Run* run) {
  if (!run->ctx->in_tx()) return false;
  try {
    run->ctx->tx().check();
  } catch (const stm::Abort& a) {
    run->abort = a;
    run->abort_pending = true;
    return true;
  }
  return false;
}

// The count hook: SCRIPT KILL, a transaction asked to abort, and a pending abort that a
// script tried to swallow.
void lua_hook(lua_State* L, lua_Debug*) {
  LuaEngine::Run* run = current_run(L);
  if (run == nullptr) return;
  if (run->abort_pending || transaction_doomed(run)) {
    lua_sethook(L, lua_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    raise_abort(L);
  }
  // A kill requested before the script's first write is void once it has written (its writes
  // would commit with the error reply): as in Redis, only a clean script dies.
  if (run->killed || (run->slot->kill.load(std::memory_order_relaxed) && !run->wrote &&
                      now_us() >= run->kill_after_us)) {
    run->killed = true;
    // Fire at every line from now on, so that pcall cannot hold the kill off.
    lua_sethook(L, lua_hook, LUA_MASKLINE, 0);
    raise_error_table(L, kill_message(run));
  }
}

// Opens a library; one that returns its table without setting the global gets it set here.
void open_lib(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
  if (name[0] != '\0' && lua_istable(L, -1)) {
    lua_getglobal(L, name);
    bool missing = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (missing) {
      lua_pushvalue(L, -1);
      lua_setglobal(L, name);
    }
  }
  lua_pop(L, 1);
}

void push_real_globals(lua_State* L) { registry_get(L, &kRealGlobalsKey); }

void push_array(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, int(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, int(i + 1));
  }
}

std::string field_string(lua_State* L, int idx, const char* name) {
  lua_getfield(L, idx, name);
  std::string s;
  if (lua_isstring(L, -1)) {
    size_t len;
    const char* p = lua_tolstring(L, -1, &len);
    s.assign(p, len);
  }
  lua_pop(L, 1);
  return s;
}

}  // namespace

// --- the engine ------------------------------------------------------------------------------

LuaEngine::LuaEngine(Scripting& shared, int worker) : shared_(shared), worker_(worker) {
  open_sandbox();
}

LuaEngine::~LuaEngine() {
  if (L_ != nullptr) lua_close(L_);
}

void LuaEngine::open_sandbox() {
  lua_State* L = luaL_newstate();
  L_ = L;
  lua_newtable(L);  // proxies, weak keys
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  registry_set(L, &kProxiesKey);
  lua_newtable(L);
  registry_set(L, &kScriptsKey);
  lua_newtable(L);
  registry_set(L, &kLibrariesKey);

  open_lib(L, "", luaopen_base);
  open_lib(L, LUA_TABLIBNAME, luaopen_table);
  open_lib(L, LUA_STRLIBNAME, luaopen_string);
  open_lib(L, LUA_MATHLIBNAME, luaopen_math);
  open_lib(L, "cjson", luaopen_cjson);
  open_lib(L, "bit", luaopen_bit);
  open_lib(L, "struct", luaopen_struct);
  open_lib(L, "cmsgpack", luaopen_cmsgpack);

  // Globals Redis 7.0 does not offer.
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
                           "module", "require", "package"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, lua_pcall_redis);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, lua_xpcall_redis);
  lua_setglobal(L, "xpcall");
  lua_pushcfunction(L, lua_pairs_unproxied);
  lua_setglobal(L, "pairs");
  lua_pushcfunction(L, lua_next_unproxied);
  lua_setglobal(L, "next");
  lua_pushcfunction(L, lua_rawset_checked);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, lua_rawget_unproxied);
  lua_setglobal(L, "rawget");
  lua_getglobal(L, "coroutine");
  lua_getfield(L, -1, "resume");
  lua_pushcclosure(L, lua_resume_redis, 1);
  lua_setfield(L, -2, "resume");
  lua_pop(L, 1);
  lua_getglobal(L, "math");
  set_math_random(L);
  lua_pop(L, 1);

  // The redis API at run time.
  lua_newtable(L);
  set_redis_api(L);
  lua_setglobal(L, "redis");

  // The redis API while FUNCTION LOAD runs a library: register_function, log, constants.
  lua_newtable(L);
  set_load_api(L);
  push_proxy(L, -1);
  registry_set(L, &kRedisLoadApiKey);
  lua_pop(L, 1);

  lua_pushcfunction(L, lua_error_handler);
  registry_set(L, &kErrorHandlerKey);

  // Library tables become read-only proxies; then the globals themselves.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  registry_set(L, &kRealGlobalsKey);
  for (const char* lib :
       {"string", "table", "math", "coroutine", "cjson", "bit", "struct", "cmsgpack", "redis"}) {
    lua_getglobal(L, lib);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    push_proxy(L, -1);
    if (std::strcmp(lib, "redis") == 0) {
      lua_pushvalue(L, -1);
      registry_set(L, &kRedisApiKey);
    }
    lua_setglobal(L, lib);
    lua_pop(L, 1);
  }
  push_real_globals(L);
  push_proxy(L, -1);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "_G");  // real._G = the proxy
  registry_set(L, &kProxyGlobalsKey);
  lua_pop(L, 1);
  registry_get(L, &kProxyGlobalsKey);
  lua_replace(L, LUA_GLOBALSINDEX);
}

std::string LuaEngine::compile_script(const std::string& sha, std::string_view body) {
  lua_State* L = L_;
  uint64_t gen = shared_.scripts.generation();
  if (gen != script_generation_) {
    // SCRIPT FLUSH: forget the compiled functions.
    lua_newtable(L);
    registry_set(L, &kScriptsKey);
    compiled_.clear();
    script_generation_ = gen;
    lua_gc(L, LUA_GCCOLLECT, 0);
  }
  if (compiled_.count(sha) != 0) return "";
  // A shebang line is not Lua: compile from its newline (line numbers stay right).
  std::string_view code = body;
  if (code.starts_with("#!")) {
    size_t nl = code.find('\n');
    code = nl == std::string_view::npos ? std::string_view() : code.substr(nl);
  }
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_script") != 0) {
    std::string err = "ERR Error compiling script (new function): ";
    const char* m = lua_tostring(L, -1);
    err += m != nullptr ? m : "unknown error";
    lua_pop(L, 1);
    return err;
  }
  registry_get(L, &kProxyGlobalsKey);
  lua_setfenv(L, -2);
  registry_get(L, &kScriptsKey);
  lua_pushlstring(L, sha.data(), sha.size());
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 2);
  compiled_[sha] = true;
  return "";
}

void LuaEngine::run_script(CommandContext& ctx, const std::string& sha, const RunOptions& opt,
                           std::span<const std::string_view> keys,
                           std::span<const std::string_view> args) {
  lua_State* L = L_;
  registry_get(L, &kErrorHandlerKey);
  registry_get(L, &kScriptsKey);
  lua_pushlstring(L, sha.data(), sha.size());
  lua_rawget(L, -2);
  lua_remove(L, -2);
  run(ctx, opt, keys, args);
}

bool LuaEngine::ensure_library(const Library& lib, std::string* err) {
  if (libraries_.count(lib.id) != 0) return true;
  Library scratch;
  *err = load_library(lib.code, &scratch, true);
  if (!err->empty()) return false;
  // load_library left the library's {name -> entry} table on the stack.
  registry_get(L_, &kLibrariesKey);
  lua_pushnumber(L_, lua_Number(lib.id));
  lua_pushvalue(L_, -3);
  lua_rawset(L_, -3);
  lua_pop(L_, 2);
  libraries_[lib.id] = true;
  return true;
}

void LuaEngine::forget_library(uint64_t id) {
  if (libraries_.erase(id) == 0) return;
  registry_get(L_, &kLibrariesKey);
  lua_pushnumber(L_, lua_Number(id));
  lua_pushnil(L_);
  lua_rawset(L_, -3);
  lua_pop(L_, 1);
}

void LuaEngine::run_function(CommandContext& ctx, const Library& lib, const FunctionInfo& f,
                             const RunOptions& opt, std::span<const std::string_view> keys,
                             std::span<const std::string_view> args) {
  std::string err;
  if (!ensure_library(lib, &err)) {
    ctx.out.add_error(err);
    return;
  }
  lua_State* L = L_;
  registry_get(L, &kErrorHandlerKey);
  registry_get(L, &kLibrariesKey);
  lua_pushnumber(L, lua_Number(lib.id));
  lua_rawget(L, -2);                    // handler, libs, lib
  lua_getfield(L, -1, f.name.c_str());  // handler, libs, lib, entry
  lua_getfield(L, -1, "callback");      // handler, libs, lib, entry, callback
  lua_replace(L, -4);                   // handler, callback, lib, entry
  lua_pop(L, 2);
  run(ctx, opt, keys, args);
}

void LuaEngine::run(CommandContext& ctx, const RunOptions& opt,
                    std::span<const std::string_view> keys,
                    std::span<const std::string_view> args) {
  lua_State* L = L_;
  // Stack: error handler, function.
  int base = lua_gettop(L) - 2;
  int saved_db = ctx.client.db;
  Run run;
  run.ctx = &ctx;
  run.opt = &opt;
  run.slot = &shared_.running(worker_);
  run.slot->wrote.store(false, std::memory_order_relaxed);
  run.slot->kill.store(false, std::memory_order_relaxed);
  run.slot->is_function.store(opt.is_function, std::memory_order_relaxed);
  int64_t start = now_us();
  run.slot->start_us.store(start, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    run.kill_after_us = start + ctx.server.config().busy_reply_threshold * 1000;
  }
  {
    std::lock_guard<std::mutex> g(run.slot->mu);
    run.slot->name = opt.name;
    run.slot->command.clear();
    for (size_t i = 0; i < ctx.argc(); ++i) {
      if (i != 0) run.slot->command += ' ';
      run.slot->command.append(ctx.arg(i));
    }
  }
  run.slot->running.store(true, std::memory_order_release);

  lua_pushlightuserdata(L, &run);
  registry_set(L, &kRunKey);
  // Every run starts from the read-only globals (a setfenv(0, ...) cannot leak).
  registry_get(L, &kProxyGlobalsKey);
  lua_replace(L, LUA_GLOBALSINDEX);
  int nargs = 0;
  push_real_globals(L);
  if (opt.is_function) {
    lua_pushnil(L);
    lua_setfield(L, -2, "KEYS");
    lua_pushnil(L);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);
    push_array(L, keys);
    push_array(L, args);
    nargs = 2;
  } else {
    push_array(L, keys);
    lua_setfield(L, -2, "KEYS");
    push_array(L, args);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);
  }
  lua_sethook(L, lua_hook, LUA_MASKCOUNT, kHookCount);
  int err = lua_pcall(L, nargs, 1, base + 1);
  lua_sethook(L, nullptr, 0, 0);
  lua_pushnil(L);
  registry_set(L, &kRunKey);

  ctx.hits += run.hits;
  ctx.misses += run.misses;
  if (!run.calls.empty() && !run.abort_pending && ctx.in_tx()) {
    // INFO commandstats counts the commands a script ran, once it has committed.
    ctx.tx().on_commit([&worker = ctx.worker, calls = std::move(run.calls)] {
      for (const auto& [id, failed] : calls) {
        CommandCounters& c = worker.command_counters[size_t(id)];
        CommandCounters::bump(c.calls);
        if (failed) CommandCounters::bump(c.failed_calls);
      }
    });
  }
  if (ctx.client.db != saved_db) {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());
    ctx.client.db = saved_db;
  }
  run.slot->running.store(false, std::memory_order_release);
  if (++runs_ % 50 == 0) lua_gc(L, LUA_GCSTEP, 50);
  if (run.abort_pending) {
    lua_settop(L, base);
    throw run.abort;
  }
  if (err != 0) {
    if (lua_istable(L, -1)) {
      std::string msg = field_string(L, -1, "err");
      std::string source = field_string(L, -1, "source");
      std::string line = field_string(L, -1, "line");
      if (!source.empty() && !line.empty()) {
        msg += " script: " + opt.name + ", on " + source + ":" + line + ".";
      }
      ctx.out.add_error(msg);
    } else {
      const char* m = lua_tostring(L, -1);
      std::string msg = "ERR Error running script " + opt.name + ", ";
      msg += m != nullptr ? std::string(m).substr(0, 100) : "execution failure";
      ctx.out.add_error(msg);
    }
  } else {
    write_lua_value(L, ctx.out, run.resp);
  }
  lua_settop(L, base);
}

std::string LuaEngine::load_library(std::string_view code, Library* lib, bool keep_table) {
  lua_State* L = L_;
  int base = lua_gettop(L);
  // The shebang line is not Lua: compile from its newline (line numbers stay right).
  std::string_view body = code;
  size_t nl = body.find('\n');
  body = nl == std::string_view::npos ? std::string_view() : body.substr(nl);
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    std::string err = "ERR Error compiling function: ";
    const char* m = lua_tostring(L, -1);
    err += m != nullptr ? m : "unknown error";
    lua_settop(L, base);
    return err;
  }
  registry_get(L, &kProxyGlobalsKey);
  lua_setfenv(L, -2);
  // Swap in the load-time redis API while the library's code runs.
  lua_newtable(L);
  lua_pushvalue(L, -1);
  registry_set(L, &kLoadingKey);  // stack: chunk, loading
  lua_insert(L, -2);              // loading, chunk
  push_real_globals(L);
  registry_get(L, &kRedisLoadApiKey);
  lua_setfield(L, -2, "redis");
  lua_pop(L, 1);
  registry_get(L, &kErrorHandlerKey);
  lua_insert(L, -2);  // loading, handler, chunk
  t_load_deadline_us = now_us() + kLoadTimeoutUs;
  lua_sethook(L, load_hook, LUA_MASKCOUNT, kHookCount);
  int err = lua_pcall(L, 0, 0, -2);
  lua_sethook(L, nullptr, 0, 0);
  push_real_globals(L);
  registry_get(L, &kRedisApiKey);
  lua_setfield(L, -2, "redis");
  lua_pop(L, 1);
  lua_pushnil(L);
  registry_set(L, &kLoadingKey);
  if (err != 0) {
    std::string msg = "ERR Error registering functions: ";
    if (lua_istable(L, -1)) {
      msg += field_string(L, -1, "err");
    } else {
      const char* m = lua_tostring(L, -1);
      msg += m != nullptr ? m : "unknown error";
    }
    lua_settop(L, base);
    return msg;
  }
  lua_pop(L, 1);  // the handler; stack: loading
  // The functions in registration order.
  std::vector<std::pair<int, FunctionInfo>> fns;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    FunctionInfo f;
    size_t len;
    const char* k = lua_tolstring(L, -2, &len);
    f.name.assign(k, len);
    lua_getfield(L, -1, "flags");
    f.flags = uint32_t(lua_tonumber(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, -1, "description");
    if (lua_isstring(L, -1)) {
      f.has_description = true;
      f.description = lua_tostring(L, -1);
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "order");
    int order = int(lua_tonumber(L, -1));
    lua_pop(L, 2);
    fns.emplace_back(order, std::move(f));
  }
  if (fns.empty()) {
    lua_settop(L, base);
    return "ERR No functions registered";
  }
  std::sort(fns.begin(), fns.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  lib->functions.clear();
  for (auto& entry : fns) lib->functions.push_back(std::move(entry.second));
  if (!keep_table) lua_settop(L, base);
  return "";
}

}  // namespace stmkv::scripting
