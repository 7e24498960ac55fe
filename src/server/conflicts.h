// server/conflicts.h — the conflict report behind STM CONFLICTS: which keys transactions
// collided on, which commands (and command families) were aborted there, and the retries
// that cost.
//
// The engine calls a transaction's label function once per conflict abort (Tx::set_label_fn);
// the dispatcher's label functions name the command and its first key and record the abort in
// the worker's ConflictTracker. Nothing is recorded while there are no conflicts.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace stmkv {

class CommandContext;

// Per worker. record() is called on the worker's thread; merge_into() and reset() from any.
class ConflictTracker {
 public:
  struct KeyStats {
    std::string key;                             // "" for a block (EXEC): see the label
    uint64_t aborts = 0;                         // attempts aborted on this key (= retries)
    std::map<std::string, uint64_t> commands;    // "incr" -> aborts
    std::map<std::string, uint64_t> families;    // "string" -> aborts
    std::string label;                           // the last label ("INCR counter")
  };
  // Records one aborted attempt of a transaction labelled `label`, running `command` (of the
  // command group `family`) on `key`. Figures are kept by key, or by label when key is ""
  // (a block, a command without keys); at most kMaxKeys of them.
  void record(std::string_view key, std::string_view command, std::string_view family,
              std::string_view label);
  // Adds this tracker's figures into *out (by key, or label when there is no key).
  void merge_into(std::map<std::string, KeyStats>* out) const;
  void reset();

  static constexpr size_t kMaxKeys = 4096;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, KeyStats> by_key_;
};

// A label function (stm::Tx::LabelFn) for one command; arg is its CommandContext. Returns
// "INCR counter" (command name and first key) and records the abort in the worker's tracker.
std::string command_conflict_label(const void* ctx);

// "INCR counter" for argv run as spec (the key, if any, cut to 128 bytes).
std::string conflict_label_text(std::string_view full_name, std::string_view key);

}  // namespace stmkv
