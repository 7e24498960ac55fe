// scripting/lua_engine.h — one worker's Lua 5.1 interpreter, sandboxed as Redis 7.0's: the
// base, table, string, math, cjson, bit, struct and cmsgpack libraries, the `redis` API, no
// os/io/loadfile/dofile, read-only globals.
//
// A script runs inside the transaction of the command that runs it (EVAL, FCALL, or EXEC
// around them): redis.call runs the command's handler in that transaction. When the
// transaction aborts (a conflict), the stm::Abort is carried through the Lua frames as a
// private error value that pcall cannot catch, and rethrown once the script has unwound; the
// transaction then runs the script again from the start. Nothing a script does survives an
// attempt: globals are read-only, KEYS/ARGV and the RESP level are set at every run.
//
// A LuaEngine is used only by its worker thread (created lazily there).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "scripting/scripting.h"
#include "stm/stm.h"

struct lua_State;

namespace stmkv {
class CommandContext;
}

namespace stmkv::scripting {

// What one run of a script may do and how it is named in errors.
struct RunOptions {
  bool read_only = false;    // EVAL_RO / FCALL_RO / a no-writes script
  bool is_function = false;  // FCALL: keys and args are the callback's arguments
  std::string name;          // the SHA1 (EVAL) or the function name (FCALL)
  uint32_t flags = 0;        // ScriptFlag
};

class LuaEngine {
 public:
  LuaEngine(Scripting& shared, int worker);
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles an EVAL script (once per SHA and cache generation). Returns "" or the error reply
  // ("ERR Error compiling script (new function): user_script:1: ...").
  std::string compile_script(const std::string& sha, std::string_view body);
  // Runs the compiled script sha (compile_script first) for EVAL/EVALSHA: writes the reply to
  // ctx.out. Throws stm::Abort when the transaction must retry.
  void run_script(CommandContext& ctx, const std::string& sha, const RunOptions& opt,
                  std::span<const std::string_view> keys, std::span<const std::string_view> args);
  // Runs function f of library lib (compiled here once per library id) for FCALL.
  void run_function(CommandContext& ctx, const Library& lib, const FunctionInfo& f,
                    const RunOptions& opt, std::span<const std::string_view> keys,
                    std::span<const std::string_view> args);
  // FUNCTION LOAD: runs the library's code (after the shebang line) with the load-time API
  // and fills lib->functions. Returns "" or the error reply text. With keep_table, leaves the
  // library's {name -> {callback=...}} table on the Lua stack (on success).
  std::string load_library(std::string_view code, Library* lib, bool keep_table = false);
  // Drops this worker's compiled copy of a library (FUNCTION DELETE / FLUSH / REPLACE).
  void forget_library(uint64_t id);

  // Internal state of the running script (used by the Lua C functions).
  struct Run;

 private:
  void open_sandbox();
  bool ensure_library(const Library& lib, std::string* err);
  void run(CommandContext& ctx, const RunOptions& opt, std::span<const std::string_view> keys,
           std::span<const std::string_view> args);

  Scripting& shared_;
  int worker_;
  lua_State* L_ = nullptr;
  uint64_t script_generation_ = 0;
  std::unordered_map<std::string, bool> compiled_;  // SHA1 -> compiled in this state
  std::unordered_map<uint64_t, bool> libraries_;    // library id -> loaded in this state
  uint64_t runs_ = 0;
};

}  // namespace stmkv::scripting
