// persist/aof.h — the append-only file (Redis 7.0's multi-part layout, persist/aof_manifest.h).
//
// Recording: with appendonly on, Aof installs the effects sink (server/effects.h). Inside the
// heap's commit critical section the sink only appends the transaction's records (RESP, a
// SELECT when the database changes, MULTI ... EXEC around blocks) to an in-memory buffer, so
// the buffer holds every write transaction in commit order. A dedicated writer thread moves
// the buffer to the current incremental file and fsyncs it as appendfsync says:
//   always:   group commit: write whatever has accumulated, fdatasync, publish the fsynced
//             offset; the net layer holds every reply until the offset current when it was
//             produced is fsynced (sync_target()/synced()), so no client sees a write a crash
//             can lose;
//   everysec: fdatasync at most once a second (in the writer thread);
//   no:       never (the kernel decides).
// Rewrite (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes): the RDB snapshot
// machinery takes a point-in-time view at revision S on the spare heap segment; records of
// revisions <= S go to the old incremental file, later ones to a new one (which the manifest
// lists at once), the snapshot becomes the new base, and a new manifest (temp + rename)
// replaces the old files. Workers never stop.
// Start-up: the manifest's base (RDB via the RDB loader, or commands) then the incremental
// files are replayed through the dispatcher before clients are accepted (aof-load-truncated
// for a cut-off last record). See docs/persistence.md.
//
// Thread-safety: every public member may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "persist/aof_manifest.h"

namespace stmkv {
class Server;
class Effects;
struct WorkerContext;
}  // namespace stmkv

namespace stmkv::persist {

class Persistence;

class Aof {
 public:
  Aof(Server& server, Persistence& persistence);
  ~Aof();  // as shutdown()

  // Start-up, before the workers serve clients, when appendonly is yes: loads the AOF (or, when
  // there is no AOF directory, dump.rdb, then writes the first base) and starts recording.
  // Returns the error that must stop the server.
  std::optional<std::string> load_at_startup(WorkerContext& w);
  // Starts the cron thread (config changes, automatic and scheduled rewrites).
  void start();
  // Writes and fsyncs everything recorded, stops recording and the threads. Idempotent.
  void shutdown();

  enum class Rewrite { kStarted, kInProgress, kScheduled };
  Rewrite bgrewrite();
  // Waits until no rewrite runs (tests, shutdown).
  void wait_rewrite();

  bool enabled() const { return enabled_.load(); }
  bool loading() const { return loading_.load(); }
  // INFO persistence lines after rdb_*, in Redis 7.0's order.
  void info(std::vector<std::pair<std::string, std::string>>& out);

  // The reply gate (net/connection.cc): 0 when replies need not wait (appendfsync is not
  // always, or the AOF is off), else the offset that must be fsynced before replies produced
  // now may be sent. synced(t): whether it is.
  static uint64_t sync_target();
  static bool synced(uint64_t target);
  // Called (from the writer thread) when the fsynced offset advances: the net layer wakes its
  // worker loops to send the replies they hold. nullptr removes it.
  static void set_waker(std::function<void()> fn);

 private:
  struct Mark {
    uint64_t rev;  // commit revision of the records ending here
    size_t end;    // their end in the buffer
    int db;        // the database selected after them
  };
  enum class Switch { kNone, kPendingRev, kKnown, kDone };
  enum class Fsync { kAlways, kEverysec, kNo };

  static void sink(const Effects& fx, uint64_t rev);
  void install_sink(bool on);
  void writer_main();
  void cron_main();
  void set_fsync_mode();
  bool open_incr(const std::string& name, std::string* error);  // writer state
  void write_bytes(std::string_view data);                       // to fd_
  bool rewrite(bool enabling, std::string* error);
  // Writes a snapshot as base file dir/name (RDB, or commands unless rdb); at_revision as
  // Persistence::snapshot_for_aof. False with *error (empty: another save runs).
  bool snapshot_base(const std::string& dir, const std::string& name, bool rdb,
                     const std::function<void(uint64_t)>& at_revision, uint64_t* overhead,
                     std::string* error);
  void start_writer();
  void start_rewrite_thread(bool enabling);
  std::optional<std::string> load_dir(WorkerContext& w, const std::string& dir);
  std::optional<std::string> load_one(WorkerContext& w, const std::string& dir,
                                      const AofFileInfo& f, bool last);
  std::optional<std::string> create_at_startup(const std::string& dir);
  void disable();
  std::string aof_dir();
  std::string prefix();
  void wake_workers();
  uint64_t files_size();

  Server& server_;
  Persistence& persistence_;

  // Buffer (guarded by mu_): filled by the sink, drained by the writer.
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buf_;
  std::vector<Mark> marks_;
  int sink_db_ = -1;
  uint64_t last_rev_ = 0;
  Switch switch_ = Switch::kNone;
  uint64_t switch_rev_ = 0;
  std::string switch_name_;   // the new incremental file
  int64_t switch_seq_ = 0;
  bool switch_persist_ = false;  // list the new file in the manifest at once
  bool stop_writer_ = false;
  bool writer_running_ = false;
  bool writer_waiting_ = false;  // the writer sleeps on cv_
  AofManifest manifest_;      // guarded by mu_

  // Writer thread state.
  int fd_ = -1;
  int writer_db_ = -1;
  uint64_t written_ = 0;
  int64_t last_fsync_ms_ = 0;
  std::thread writer_;

  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> synced_{0};
  std::atomic<Fsync> fsync_{Fsync::kEverysec};
  std::atomic<bool> enabled_{false};
  std::atomic<bool> loading_{false};
  std::atomic<bool> no_fsync_on_rewrite_{false};

  // Rewrites (guarded by rw_mu_).
  std::mutex rw_mu_;
  std::condition_variable rw_cv_;
  bool rewriting_ = false;
  bool scheduled_ = false;
  bool stop_cron_ = false;
  std::thread rewrite_thread_;
  std::thread cron_;
  std::atomic<int64_t> rewrite_start_ms_{0};
  std::atomic<int64_t> last_rewrite_time_s_{-1};
  std::atomic<bool> last_rewrite_ok_{true};
  std::atomic<bool> last_write_ok_{true};
  std::atomic<uint64_t> rewrites_{0};
  std::atomic<uint64_t> rewrite_failures_{0};
  std::atomic<uint64_t> last_cow_{0};
  std::atomic<uint64_t> base_size_{0};
  std::atomic<uint64_t> incr_size_{0};   // bytes written to the current incr files
  std::atomic<uint64_t> delayed_fsync_{0};
  bool shut_ = false;
};

}  // namespace stmkv::persist
