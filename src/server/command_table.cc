#include "server/command_table.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace stmkv {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const std::string_view> acl_category_names() {
  static constexpr std::array<std::string_view, 21> kNames = {
      "keyspace", "read",   "write",    "set",       "sortedset", "list",       "hash",
      "string",   "bitmap", "hyperloglog", "geo",    "stream",    "pubsub",     "admin",
      "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

const CommandTable& CommandTable::instance() {
  static const CommandTable* table = [] {
    auto* t = new CommandTable();
    register_connection_family(*t);
    register_server_family(*t);
    register_keys_family(*t);
    register_string_family(*t);
    register_hash_family(*t);
    register_set_family(*t);
    register_list_family(*t);
    register_multi_family(*t);
    register_stm_family(*t);
    register_slowlog_family(*t);
    register_zset_family(*t);
    register_acl_family(*t);
    register_scripting_family(*t);
    register_sort_family(*t);
    register_hll_family(*t);
    register_persist_family(*t);
    return t;
  }();
  return *table;
}

void CommandTable::assign_ids(CommandSpec& spec, const std::string& parent) {
  spec.full_name = parent.empty() ? std::string(spec.name) : parent + "|" + std::string(spec.name);
  spec.id = next_id_++;
  by_id_.push_back(&spec);
  for (CommandSpec& sub : spec.subcommands) assign_ids(sub, spec.full_name);
}

void CommandTable::add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  assign_ids(*owned, "");
  by_name_[lower(owned->name)] = owned.get();
  commands_.push_back(std::move(owned));
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  if (name.size() > 64) return nullptr;
  char buf[64];
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;   // ASCII, no locale
  }
  auto it = by_name_.find(std::string(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandTable::find_sub(const CommandSpec& container, std::string_view name) {
  for (const CommandSpec& sub : container.subcommands) {
    if (iequals(sub.name, name)) return &sub;
  }
  return nullptr;
}

}  // namespace stmkv
