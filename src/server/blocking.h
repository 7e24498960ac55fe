// server/blocking.h — clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) and
// their wake-ups across workers.
//
// A blocking command that finds no data asks (in its on-commit hook, see request_block) to block
// its client. The connection then registers a Waiter here under every key it waits for, in FIFO
// order per key, and stops executing the client's input. A command that pushes to a key calls
// signal_key_ready (in its transaction): once it commits, the first waiter of that key is put on
// its worker's ready list and that worker is woken (Server::wake_worker). The woken worker takes
// its ready waiters (take_ready) and re-runs each one's command as a new transaction, with
// ClientState::block_retry set (a key of another type then counts as empty, as Redis 7.0 serves
// only lists). If the command found data, the client is unblocked and the keys are signalled
// again so that the next waiter gets its turn; otherwise the client stays blocked in its place.
// Right after registering, the connection signals its own keys, so a push that committed
// between the command's transaction and the registration is not missed. No polling anywhere.
//
// Thread-safety: every method may be called from any thread; a Waiter is owned by its
// connection's worker, which must remove() it before freeing it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stmkv {

class CommandContext;

struct Waiter {
  uint64_t client_id = 0;
  int worker = 0;
  int db = 0;
  std::vector<std::string> keys;
  void* owner = nullptr;   // the connection (net layer)
  bool ready = false;      // on its worker's ready list (under the registry's lock)
};

class BlockingRegistry {
 public:
  // How to wake worker i (installed by the net layer; unset in unit tests).
  void set_waker(std::function<void(int)> fn);

  // Queues w (client_id, worker, db, keys set) at the back of each of its keys.
  void add(Waiter* w);
  // Removes w from every queue and from its worker's ready list. Safe if w was never added.
  void remove(Waiter* w);
  // Puts the first waiter of (db, key) on its worker's ready list and wakes that worker.
  void signal(int db, std::string_view key);
  // The waiters of `worker` that were signalled since the last call, in signal order.
  std::vector<Waiter*> take_ready(int worker);
  // Number of blocked clients (INFO blocked_clients).
  int64_t blocked_clients() const { return count_.load(std::memory_order_seq_cst); }
  // Number of clients waiting on (db, key) (tests).
  size_t waiters(int db, std::string_view key) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<int, std::string>, std::deque<Waiter*>, std::less<>> queues_;
  std::map<int, std::vector<Waiter*>> ready_;
  std::function<void(int)> waker_;
  std::atomic<int64_t> count_{0};
};

// In a kCmdTx handler: once the transaction commits, signal that key (in the client's
// database) may have data for blocked clients. Cheap when nobody is blocked.
void signal_key_ready(CommandContext& ctx, std::string_view key);
void signal_key_ready(CommandContext& ctx, int db, std::string_view key);

// In a blocking command's handler that found no data: once the transaction commits, the
// client blocks on keys for timeout_ms (0 = forever); on timeout it gets a null array
// (null_array) or a null bulk string. Returns false (and blocks nothing) when the client may
// not block (inside MULTI/EXEC or a script): the handler then replies as on a timeout.
bool request_block(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                   bool null_array);

// Parses a blocking command's timeout argument (seconds, may be fractional) as Redis's
// getTimeoutFromObjectOrReply: relative milliseconds, 0 = forever. Replies the error and
// returns false on a bad value.
bool parse_block_timeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms);

}  // namespace stmkv
