// server/eviction.h — maxmemory: how much memory the server uses, and the eviction of keys
// (Redis's evict.c) when it uses more than maxmemory.
//
// used_memory (INFO memory) = the bytes of live objects on the shared heap (stm::Heap::live_bytes:
// every object once, by slot size) + the workers' private page copies (stm::Heap::private_pages).
// Both are atomic counters: reading them costs a few relaxed loads. The private copies are
// memory not counted for eviction (as Redis's replication and AOF buffers, INFO
// mem_not_counted_for_evict): they are a per-view cache of pages that the engine re-shares after
// a while without writes, evicting keys does not shrink them, and counting them would evict the
// whole dataset on a burst of page switches. The limit is compared with used - not counted.
//
// Before each command (dispatcher), when maxmemory is set and that figure exceeds it, keys are
// evicted by maxmemory-policy, approximated as Redis does: maxmemory-samples keys sampled per
// database and round into a pool of the 16 best candidates (largest idle time, lowest LFU
// counter, nearest expiry). Each eviction is one small STM transaction that deletes one key
// through evict_key(); an eviction that loses a conflict to a client's transaction (the key was
// written meanwhile) gives that key up instead of retrying, so a committed client write is never
// undone by an eviction that read the key before it. Commands flagged deny-oom fail with -OOM
// when nothing more can be evicted (or under noeviction); MULTI and EXEC as Redis 7.0.
// Thread-safety: every function may be called from any worker thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "stm/stm.h"

namespace protocol {
class ReplyWriter;
}

namespace stmkv {

class Server;
struct WorkerContext;
struct ClientState;
struct CommandSpec;

inline constexpr std::string_view kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

// The server's used memory in bytes and the part of it not counted for eviction (see above):
// the one function behind INFO memory and the maxmemory check.
struct MemoryUse {
  uint64_t used = 0;
  uint64_t not_counted = 0;
};
MemoryUse memory_use(Server& server);
uint64_t used_memory(Server& server);   // memory_use(server).used

// Reads maxmemory, maxmemory-policy, maxmemory-samples, maxmemory-eviction-tenacity,
// lfu-log-factor and lfu-decay-time from the configuration (at start-up and after CONFIG SET;
// execute_command does it). Also sizes the access-clock table (ds/access.h) for the heap.
void sync_eviction_config(Server& server);

enum class EvictResult { kOk, kRunning, kFail };
// Redis's performEvictions: evicts keys until used_memory <= maxmemory, for at most the time
// budget of maxmemory-eviction-tenacity (kRunning: stopped early; the next command goes on).
// kFail: over the limit and nothing (more) can be evicted, or the policy is noeviction.
EvictResult perform_evictions(WorkerContext& worker, int64_t now_ms);

// The dispatcher's check before running or queueing a command: runs perform_evictions and
// refuses, with -OOM, deny-oom commands when it failed (in MULTI: every queued command; EXEC of
// a block holding a deny-oom command: -EXECABORT, the block discarded). Returns false when it
// replied an error. Records, for scripts, whether the server was out of memory at the start.
bool eviction_admit(WorkerContext& worker, ClientState& client, const CommandSpec& spec,
                    protocol::ReplyWriter& out);
// Whether the command running on this thread found the server out of memory when it started
// (Redis's pre_command_oom_state: a script's redis.call of a deny-oom command fails then).
bool oom_at_command_start();

// Deletes key from database db as an eviction inside tx (the one place evictions delete; the
// AOF records it as DEL through this thread's Effects, which it resets: tx must be a transaction
// of its own, not a client command's). With volatile_only, keys without a TTL are kept. Returns
// whether the key was deleted.
bool evict_key(stm::Tx& tx, int db, std::string_view key, bool volatile_only, int64_t now_ms);

struct EvictionStats {
  uint64_t evicted_keys = 0;
  uint64_t total_exceeded_ms = 0;    // total_eviction_exceeded_time
  uint64_t current_exceeded_ms = 0;  // current_eviction_exceeded_time
};
EvictionStats eviction_stats(int64_t now_ms);
void reset_eviction_stats();   // CONFIG RESETSTAT

}  // namespace stmkv
