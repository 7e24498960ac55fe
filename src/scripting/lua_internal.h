// scripting/lua_internal.h — what lua_engine.cc (the interpreter, the sandbox) and lua_api.cc
// (the `redis` API) share: the running script's state and the registry helpers. Private to
// src/scripting/.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "scripting/lua_engine.h"
#include "stm/stm.h"

extern "C" {
#include <lua.h>
}

namespace stmkv {
class CommandContext;
}

namespace stmkv::scripting {

// The running script's state. Reached from the Lua C functions through the registry.
struct LuaEngine::Run {
  CommandContext* ctx = nullptr;
  const RunOptions* opt = nullptr;
  RunningScript* slot = nullptr;
  int resp = 2;
  bool abort_pending = false;  // an stm::Abort is unwinding the script
  stm::Abort abort{};
  bool killed = false;
  int64_t kill_after_us = 0;  // SCRIPT KILL takes effect from then (busy-reply-threshold)
  bool wrote = false;
  int hits = 0;
  int misses = 0;
  // Commands the script ran (CommandSpec ids, errors flagged): counted in INFO commandstats
  // when the script commits.
  std::vector<std::pair<int, bool>> calls;
};

// Registry key of the table redis.register_function fills during FUNCTION LOAD.
extern char kLoadingKey;

// registry[key] (light userdata keys), pushed / set from the value at the top (popped).
void registry_get(lua_State* L, const char* key);
void registry_set(lua_State* L, const char* key);
// The running script, or null outside a run.
LuaEngine::Run* current_run(lua_State* L);
// Raises the error table {err="ERR msg"} (push_error_table's rules).
[[noreturn]] void raise_error_table(lua_State* L, const char* msg);
// Raises the private value that carries an stm::Abort out of the script.
[[noreturn]] void raise_abort(lua_State* L);
bool is_sentinel(lua_State* L, int idx);
// After a protected call inside the script failed: keeps a pending abort or kill unwinding.
void rethrow_if_unwinding(lua_State* L);

// Fills the table at the top with the run-time redis API (call, pcall, log, ...).
void set_redis_api(lua_State* L);
// Fills the table at the top with the FUNCTION LOAD-time API (register_function, log, ...).
void set_load_api(lua_State* L);
// Replaces random / randomseed in the math table at the top with Redis's rand48 versions.
void set_math_random(lua_State* L);

}  // namespace stmkv::scripting
