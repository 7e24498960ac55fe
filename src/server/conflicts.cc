#include "server/conflicts.h"

#include <cctype>

#include "server/command.h"
#include "server/server.h"

namespace stmkv {

void ConflictTracker::record(std::string_view key, std::string_view command,
                             std::string_view family, std::string_view label) {
  std::lock_guard<std::mutex> g(mu_);
  std::string id(key.empty() ? label : key);
  auto it = by_key_.find(id);
  if (it == by_key_.end()) {
    if (by_key_.size() >= kMaxKeys) return;
    it = by_key_.emplace(std::move(id), KeyStats{}).first;
    it->second.key.assign(key);
  }
  KeyStats& s = it->second;
  ++s.aborts;
  ++s.commands[std::string(command)];
  ++s.families[std::string(family)];
  s.label.assign(label);
}

void ConflictTracker::merge_into(std::map<std::string, KeyStats>* out) const {
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& [key, s] : by_key_) {
    KeyStats& m = (*out)[key];
    m.key = s.key;
    m.aborts += s.aborts;
    for (const auto& [c, n] : s.commands) m.commands[c] += n;
    for (const auto& [f, n] : s.families) m.families[f] += n;
    if (!s.label.empty()) m.label = s.label;
  }
}

void ConflictTracker::reset() {
  std::lock_guard<std::mutex> g(mu_);
  by_key_.clear();
}

std::string conflict_label_text(std::string_view full_name, std::string_view key) {
  std::string label;
  for (char c : full_name) {
    label += c == '|' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!key.empty()) {
    label += ' ';
    label.append(key.substr(0, 128));
  }
  return label;
}

std::string command_conflict_label(const void* arg) {
  auto& ctx = *static_cast<CommandContext*>(const_cast<void*>(arg));
  const CommandSpec& spec = *ctx.spec;
  std::string_view key;
  if (spec.first_key > 0 && size_t(spec.first_key) < ctx.argc()) key = ctx.arg(spec.first_key);
  std::string label = conflict_label_text(spec.full_name, key);
  ctx.worker.conflicts.record(key, spec.full_name, spec.group, label);
  return label;
}

}  // namespace stmkv
