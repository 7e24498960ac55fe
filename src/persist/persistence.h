// persist/persistence.h — RDB persistence of a Server: SAVE, BGSAVE, the `save` rules, loading
// at start-up, the save at shutdown, DEBUG RELOAD, and the figures of INFO persistence.
//
// Snapshots without fork: the heap is created with one segment more than there are workers
// (server.cc). A save attaches an stm::Worker to that spare segment and serializes every
// database inside one read-only transaction: the segment's view is a consistent point-in-time
// image that never validates, while the workers keep committing. Until the transaction ends
// the engine keeps every commit-log entry after the snapshot and reuses no memory freed after
// it; those retained log bytes are the snapshot's memory overhead (INFO rdb_last_cow_size).
// See docs/persistence.md.
//
// Thread-safety: every member may be called from any thread. At most one save (SAVE, BGSAVE,
// the save rules, shutdown, DEBUG RELOAD) runs at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "stm/stm.h"

namespace stmkv {
class Server;
struct WorkerContext;
}  // namespace stmkv

namespace stmkv::persist {

class Aof;

class Persistence {
 public:
  explicit Persistence(Server& server);
  ~Persistence();  // stops the background thread, waits for a running BGSAVE

  // The RDB file: dir/dbfilename.
  std::string rdb_path();

  // Start-up, before the workers serve clients: loads the RDB file if it exists, on worker w.
  // Returns the error that must stop the server, or nullopt (also when there is no file).
  std::optional<std::string> load_at_startup(WorkerContext& w);
  // Loads an RDB file into the databases (existing keys with the same names are replaced);
  // expired keys are skipped. Error or nullopt.
  std::optional<std::string> load_file(const std::string& path, WorkerContext& w);

  // Starts the background thread: save rules, BGSAVE SCHEDULE.
  void start();

  // SAVE: a snapshot written to the RDB file by the calling thread. False with *error when a
  // save is already running ("ERR Background save already in progress") or it failed ("ERR").
  bool save(std::string* error);
  enum class Bgsave { kStarted, kInProgress, kScheduled };
  // BGSAVE [SCHEDULE].
  Bgsave bgsave(bool schedule);
  // Waits until no BGSAVE runs.
  void wait_bgsave();
  // LASTSAVE: seconds since the epoch of the last successful save (start-up time at first).
  int64_t lastsave() const { return last_save_s_.load(); }
  // Changes (write commands, expired keys) since the snapshot of the last successful save or
  // the load.
  uint64_t changes_since_last_save();

  // SHUTDOWN's choice: kDefault saves when save rules are set.
  enum class ShutdownMode { kDefault, kSave, kNoSave };
  void set_shutdown_mode(ShutdownMode m) { shutdown_mode_.store(m); }
  // Called once the workers have stopped: waits for a BGSAVE, then saves as the mode says.
  // False when a save was needed and failed.
  bool save_on_shutdown();

  // DEBUG RELOAD: save (unless !save), empty every database (unless !flush), load the file
  // again (on worker w, the caller's). Nullopt, or the error reply ("ERR ...").
  std::optional<std::string> debug_reload(WorkerContext& w, bool save, bool flush);

  // INFO persistence lines (name, value), in Redis 7.0's order (the AOF's included).
  std::vector<std::pair<std::string, std::string>> info();

  // The append-only file (persist/aof.h).
  Aof& aof() { return *aof_; }
  // For the AOF rewrite: a snapshot written to path as BGSAVE writes one, in the save slot;
  // at_revision(rev) runs inside the snapshot's transaction before anything is written (rev:
  // the revision it sees). False with *error (empty when another save runs).
  bool snapshot_for_aof(const std::string& path,
                        const std::function<void(uint64_t)>& at_revision, uint64_t* overhead,
                        std::string* error);
  // Whether a SAVE or BGSAVE runs.
  bool save_in_progress();

 private:
  struct Result {
    bool ok = false;
    std::string error;
    uint64_t revision = 0;  // the snapshot's revision
    uint64_t changes = 0;   // change_count() when the snapshot began
    uint64_t keys = 0;
    uint64_t overhead = 0;  // commit-log bytes kept alive by the snapshot
  };
  // Writes a snapshot to path (through a temp file, renamed). Caller holds the save slot.
  Result snapshot_to(const std::string& path,
                     const std::function<void(uint64_t)>& at_revision = nullptr);
  bool try_begin_save();  // takes the save slot
  void end_save(const Result& r, bool background, int64_t started_ms);
  void cron();
  void stop_cron();  // idempotent
  uint64_t change_count();
  std::optional<std::string> load_file_or_throw(const std::string& path, WorkerContext& w);

  Server& server_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool saving_ = false;      // the save slot (guarded by mu_)
  bool bg_running_ = false;  // a BGSAVE thread runs (guarded by mu_)
  bool bg_scheduled_ = false;
  bool stop_ = false;
  std::thread bg_thread_;
  std::thread cron_thread_;

  std::atomic<int64_t> last_save_s_{0};
  std::atomic<int64_t> last_bgsave_try_s_{0};
  std::atomic<uint64_t> saved_changes_{0};
  std::atomic<bool> last_bgsave_ok_{true};
  std::atomic<int64_t> last_bgsave_time_s_{-1};
  std::atomic<int64_t> bgsave_start_ms_{0};
  std::atomic<uint64_t> saves_{0};
  std::atomic<uint64_t> last_overhead_{0};
  std::atomic<uint64_t> current_overhead_{0};
  std::atomic<uint64_t> keys_processed_{0};
  std::atomic<uint64_t> keys_total_{0};
  std::atomic<bool> loading_{false};
  std::atomic<uint64_t> last_load_keys_loaded_{0};
  std::atomic<uint64_t> last_load_keys_expired_{0};
  std::atomic<ShutdownMode> shutdown_mode_{ShutdownMode::kDefault};
  std::atomic<uint64_t> temp_counter_{0};
  std::unique_ptr<Aof> aof_;
};

}  // namespace stmkv::persist
