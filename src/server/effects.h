// server/effects.h — what a transaction changed, as command lines whose replay rebuilds the same
// data: the records the AOF appends, in commit order.
//
// Each thread that runs commands has one Effects (Effects::current()). It records nothing unless
// a sink is installed (set_effects_sink: the AOF when appendonly is on), so recording costs
// nothing otherwise. Life of the records of one transaction attempt:
// - reset() when the attempt starts (the dispatcher for a command, EXEC for its block, a
//   script's command): an aborted attempt's records vanish with it;
// - for each command run (top level or nested in EXEC / a script), begin_command() then
//   end_command(): a write command (kCmdWrite) that did not answer an error is recorded as its
//   own command line, unless its handler recorded its effects explicitly in between with
//   replace()/add() (lines that replay differently: relative TTLs as PEXPIREAT, random picks,
//   blocking variants as their non-blocking forms, ...), or called suppress() (nothing changed);
// - deletions nobody asked for (expired keys found on access) are add()ed as DEL where found;
// - at commit, the dispatcher (or EXEC) passes the records to the sink inside the commit
//   critical section (stm::Tx::on_commit_locked), so the sink sees transactions in commit order.
//   A block of more than one record is written as MULTI ... EXEC (write_resp).
// Thread-safety: an Effects belongs to its thread; the sink is called on the committing thread
// while the commit lock is held (sinks of different workers never run at the same time).
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stm/stm.h"


namespace stmkv {

class Effects;
// Receives the records of one committed transaction (rev: its commit revision; 0 for effects
// recorded outside a transaction). Must be quick; must not block or throw.
using EffectsSink = void (*)(const Effects& effects, uint64_t rev);

// Installs (or, with nullptr, removes) the sink. Callers hold the heap's commit lock or run
// before the workers start, so that no transaction is half-recorded across the switch.
void set_effects_sink(EffectsSink sink);
bool effects_enabled();

class Effects {
 public:
  // This thread's Effects.
  static Effects& current();

  // --- Recording (no-ops while no sink is installed) ---
  void reset();
  void begin_command() { explicit_ = false; }
  // The default record of a finished command (see above). db: the client's database after the
  // command ran.
  void end_command(bool is_write, bool answered_error, int db,
                   std::span<const std::string_view> argv);
  // Records a line (in addition to earlier ones) and marks the running command explicit.
  void add(int db, std::span<const std::string_view> argv);
  void add(int db, std::initializer_list<std::string_view> argv);
  // Marks the running command explicit without recording anything for it.
  void suppress() { explicit_ = true; }
  // Records a line without marking the running command explicit: deletions nobody asked for
  // (expired keys removed on contact or by active expiry; installed as ds/keyspace.h's
  // expired-key hook with the sink, so the running command's own default record still
  // follows). Such a line replays the same alone or not at all, so it does not count for
  // MULTI ... EXEC: as Redis, "DEL k" then "APPEND k x" are two records.
  void add_implicit(int db, std::initializer_list<std::string_view> argv);

  // --- Reading ---
  size_t size() const { return dbs_.size(); }
  bool empty() const { return dbs_.empty(); }
  // Appends the records as RESP to out: a SELECT before any record whose database is not
  // *current_db (updated), and MULTI ... EXEC around them when there are several (not
  // counting add_implicit's).
  void write_resp(std::string& out, int* current_db) const;

  // --- Delivery ---
  // In a transaction, after the last command of the attempt: arranges for the records to reach
  // the sink when (if) tx commits as a writer. Nothing happens if there are none.
  void deliver_at_commit(stm::Tx& tx);
  // For commands that change data outside any transaction (e.g. SCRIPT LOAD): hands the records
  // to the sink now, under the heap's commit lock, then resets.
  void deliver_now(stm::Heap& heap);

 private:
  std::vector<int> dbs_;          // per record: its database
  std::vector<size_t> ends_;      // per record: end offset in resp_
  std::string resp_;              // the records' command lines, RESP-encoded
  bool explicit_ = false;
  size_t implicit_ = 0;           // records added by add_implicit
};

}  // namespace stmkv
