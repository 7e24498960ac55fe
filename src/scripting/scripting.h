// scripting/scripting.h — the scripting state one server shares between its workers: the EVAL
// script cache (SHA1 -> body), the FUNCTION libraries, each worker's running script (for
// SCRIPT KILL / FUNCTION KILL / FUNCTION STATS from other workers) and a short history of
// committed scripts (SCRIPT TIMELINE, an stmkv extension that shows scripts overlapping).
//
// Thread-safety: everything here may be used from any worker thread, except engine(), which
// returns the calling worker's own interpreter.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stmkv {
class Server;
struct WorkerContext;
}  // namespace stmkv

namespace stmkv::scripting {

class LuaEngine;

// The lowercase hex SHA1 of data (40 characters).
std::string sha1_hex(std::string_view data);

// Script flags: from a `#!lua flags=...` shebang of an EVAL script, or a function's flags.
enum ScriptFlag : uint32_t {
  kFlagNoWrites = 1u << 0,
  kFlagAllowOom = 1u << 1,
  kFlagAllowStale = 1u << 2,
  kFlagNoCluster = 1u << 3,
  kFlagAllowCrossSlotKeys = 1u << 4,
  kFlagEvalCompat = 1u << 5,  // an EVAL script without a shebang (Redis 6 behaviour)
};
// Parses one flag name ("no-writes"); returns 0 when unknown.
uint32_t parse_flag(std::string_view name);
// The names of the flags set in `flags`, in Redis's order.
std::vector<std::string_view> flag_names(uint32_t flags);

// EVAL's cache: scripts by SHA1.
class ScriptCache {
 public:
  void add(const std::string& sha, std::string_view body);
  // The body of sha (lowercase hex), or null.
  std::shared_ptr<const std::string> find(std::string_view sha) const;
  void flush();
  size_t size() const;
  // Changes at every flush (workers drop their compiled functions then).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> scripts_;
  std::atomic<uint64_t> generation_{0};
};

struct FunctionInfo {
  std::string name;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;
};

// One FUNCTION library. Immutable once added to the store.
struct Library {
  std::string name;
  std::string code;
  uint64_t id = 0;  // unique per load: workers compile a library once per id
  std::vector<FunctionInfo> functions;
};

class FunctionStore {
 public:
  struct Found {
    std::shared_ptr<const Library> library;
    const FunctionInfo* function = nullptr;
  };
  // Looks a function up by name (case-sensitive, as Redis).
  bool find(std::string_view name, Found* out) const;
  // Libraries by name.
  std::vector<std::shared_ptr<const Library>> list() const;
  std::shared_ptr<const Library> library(std::string_view name) const;
  // Adds lib (its id is assigned here). Without replace, an existing library of that name is
  // an error; a function name owned by another library always is. Returns "" or the error
  // reply text ("ERR Library 'x' already exists").
  std::string add(Library lib, bool replace);
  // Adds several libraries at once (FUNCTION RESTORE), all or nothing. policy: 0 APPEND,
  // 1 REPLACE, 2 FLUSH.
  std::string restore(std::vector<Library> libs, int policy);
  bool remove(std::string_view name);
  void flush();
  size_t library_count() const;
  size_t function_count() const;

 private:
  std::string check_locked(const Library& lib, bool replace,
                           const std::map<std::string, std::shared_ptr<const Library>>& libs,
                           const std::unordered_map<std::string, std::string>& fns) const;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Library>> libs_;
  std::unordered_map<std::string, std::string> function_library_;  // function -> library
  uint64_t next_id_ = 1;
};

// A worker's running script, as other workers see it.
struct RunningScript {
  std::atomic<bool> running{false};
  std::atomic<bool> kill{false};   // set by SCRIPT KILL / FUNCTION KILL
  std::atomic<bool> wrote{false};  // the attempt has called a write command
  std::atomic<bool> is_function{false};
  std::atomic<int64_t> start_us{0};
  mutable std::mutex mu;  // guards name and command
  std::string name;       // function name or script SHA1
  std::string command;    // "fcall f 0" (FUNCTION STATS)
};

// One committed script (SCRIPT TIMELINE).
struct TimelineEntry {
  int worker = 0;
  int64_t start_us = 0;  // start of the committed attempt
  int64_t end_us = 0;    // commit
  int attempts = 1;
  std::string name;
};

class Scripting {
 public:
  explicit Scripting(Server& server);
  ~Scripting();

  ScriptCache scripts;
  FunctionStore functions;

  RunningScript& running(int worker) { return *running_[size_t(worker)]; }
  int nworkers() const { return int(running_.size()); }
  // The calling worker's interpreter, created on first use.
  LuaEngine& engine(WorkerContext& worker);

  void record(TimelineEntry e);
  // The last n committed scripts, oldest first.
  std::vector<TimelineEntry> timeline(size_t n) const;
  void clear_timeline();

  // Scripts run, killed (INFO-like counters for tests).
  std::atomic<uint64_t> runs{0};
  std::atomic<uint64_t> retries{0};

 private:
  Server& server_;
  std::vector<std::unique_ptr<RunningScript>> running_;
  std::vector<std::unique_ptr<LuaEngine>> engines_;  // slot i: worker i only
  mutable std::mutex timeline_mu_;
  std::deque<TimelineEntry> timeline_;
};

// The scripting state of server, created on first use (any thread).
Scripting& scripting_of(Server& server);

// For RDB files (Redis 7.0 saves each library as RDB_OPCODE_FUNCTION2 followed by its code as an
// RDB string): the code of every library, and loading such codes back. Loading runs each
// library's code in `worker`'s interpreter (call it on that worker's thread, or before the
// workers start), then installs all of them or none; an existing library of the same name is
// an error unless replace. Returns "" or the error text ("ERR Library 'x' already exists").
std::vector<std::string> function_library_codes(Server& server);
std::string load_function_libraries(Server& server, WorkerContext& worker,
                                    const std::vector<std::string>& codes, bool replace);

}  // namespace stmkv::scripting
