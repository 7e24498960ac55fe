// server/server.h — the server's shared state: configuration, the STM heap with the keyspace,
// the workers, the client registry and the statistics INFO reports.
//
// Thread-safety: a Server is created before the workers start and outlives them. Members are
// safe to use from any worker unless their comment says otherwise.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "server/blocking.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/conflicts.h"
#include "server/slowlog.h"
#include "stm/stm.h"

namespace stmkv {

namespace persist {
class Persistence;  // persist/persistence.h
}
class Server;
class Acl;  // server/acl.h

// Per-command counters (INFO commandstats), one set per worker.
struct CommandCounters {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> usec{0};
  std::atomic<uint64_t> rejected_calls{0};
  std::atomic<uint64_t> failed_calls{0};
  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// One worker thread's state. Owned by the Server; used by its thread (counters are read by
// INFO from any thread).
struct WorkerContext {
  int index = 0;
  Server* server = nullptr;
  std::unique_ptr<stm::Worker> stm;              // this worker's segment of the heap
  std::vector<CommandCounters> command_counters;  // by CommandSpec::id
  std::atomic<uint64_t> commands_processed{0};
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> connections{0};           // currently connected on this worker
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  uint64_t expire_cursor = 0;                     // active expiry: next database (worker-private)
  std::vector<uint64_t> expire_cursors;           // per database: next bucket (maintenance)
  void* loop = nullptr;                           // the worker's uv_loop_t (net layer)
  ConflictTracker conflicts;                      // STM CONFLICTS: aborts by key
  // EXEC figures (STM STATS): blocks committed, their retries, and the interval of the last
  // one's committed attempt (microseconds since the epoch).
  std::atomic<uint64_t> execs{0};
  std::atomic<uint64_t> exec_retries{0};
  std::atomic<int64_t> last_exec_start_us{0};
  std::atomic<int64_t> last_exec_end_us{0};
};

// Every connected client, for CLIENT LIST / KILL / INFO clients.
class ClientRegistry {
 public:
  void add(ClientState* c);
  void remove(ClientState* c);
  size_t size() const;
  // Calls fn for every client while holding the registry lock: fn must not block, and may
  // only read the client's fields that are safe across threads, plus the strings (the owning
  // worker changes them under lock()).
  void for_each(const std::function<void(ClientState&)>& fn) const;
  // Held while the owning worker changes a client's name, db, addr or last_command.
  std::mutex& lock() const { return mu_; }
  uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, ClientState*> clients_;
  std::atomic<uint64_t> next_id_{1};
};

class Server {
 public:
  // Creates the heap (Config from cfg: heap-size, workers, stm-*), the workers' contexts and
  // the keyspace's databases.
  explicit Server(const ServerConfig& cfg);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The configuration. CONFIG SET changes it under config_lock().
  ServerConfig& config() { return config_; }
  std::mutex& config_lock() { return config_mu_; }

  stm::Heap& heap() { return *heap_; }
  int nworkers() const { return static_cast<int>(workers_.size()); }
  WorkerContext& worker(int i) { return *workers_[i]; }
  ClientRegistry& clients() { return clients_; }
  const CommandTable& commands() const { return CommandTable::instance(); }

  int64_t start_time_ms() const { return start_time_ms_; }
  uint64_t run_id_hash() const { return run_id_hash_; }
  const std::string& run_id() const { return run_id_; }
  int tcp_port() const { return tcp_port_; }
  void set_tcp_port(int p) { tcp_port_ = p; }

  // Asks every worker to stop (SHUTDOWN, SIGTERM). The net layer installs wake_all.
  void request_shutdown();
  bool shutdown_requested() const { return shutdown_.load(std::memory_order_acquire); }
  // Installed by the net layer: wakes worker i's loop (it then looks at kill flags, shutdown).
  std::function<void(int)> wake_worker;
  // Clients blocked on keys (BLPOP and friends) and their wake-ups.
  BlockingRegistry blocking;

  // DEBUG SET-ACTIVE-EXPIRE: whether the active expiry cycle runs.
  std::atomic<bool> active_expire_enabled{true};
  std::atomic<uint64_t> total_connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  SlowLog slowlog;   // SLOWLOG
  // RDB persistence: SAVE, BGSAVE, save rules, loading (persist/persistence.h).
  persist::Persistence& persistence() { return *persistence_; }
  // Users, permissions and the ACL LOG (server/acl.h).
  Acl& acl() { return *acl_; }

 private:
  ServerConfig config_;
  std::mutex config_mu_;
  std::unique_ptr<stm::Heap> heap_;
  std::unique_ptr<persist::Persistence> persistence_;   // destroyed first (~Server)
  std::unique_ptr<Acl> acl_;
  std::vector<std::unique_ptr<WorkerContext>> workers_;
  ClientRegistry clients_;
  int64_t start_time_ms_ = 0;
  uint64_t run_id_hash_ = 0;
  std::string run_id_;
  int tcp_port_ = 0;
  std::atomic<bool> shutdown_{false};
};

// Wall-clock milliseconds / microseconds since the epoch.
int64_t now_ms();
int64_t now_us();

}  // namespace stmkv
