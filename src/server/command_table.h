// server/command_table.h — the command table: every command's metadata as data, built once at
// start-up from the families' registrations, then read-only (safe to read from any thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/command.h"

namespace stmkv {

class CommandTable {
 public:
  // The table with every family registered.
  static const CommandTable& instance();

  // Adds a command (and its subcommands). Names are lowercase.
  void add(CommandSpec spec);

  // Looks a command up by name, case-insensitively; nullptr when unknown.
  const CommandSpec* find(std::string_view name) const;
  // A container's subcommand, case-insensitively; nullptr when unknown.
  static const CommandSpec* find_sub(const CommandSpec& container, std::string_view name);

  // All top-level commands, in registration order.
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return commands_; }
  // Number of ids handed out (commands and subcommands).
  int size() const { return next_id_; }
  // Every spec (commands and subcommands) by id.
  const CommandSpec& by_id(int id) const { return *by_id_[id]; }

 private:
  void assign_ids(CommandSpec& spec, const std::string& parent);

  std::vector<std::unique_ptr<CommandSpec>> commands_;
  std::unordered_map<std::string, CommandSpec*> by_name_;
  std::vector<const CommandSpec*> by_id_;
  int next_id_ = 0;
};

// One registration function per family (src/commands/*_family.cc).
void register_connection_family(CommandTable& table);
void register_server_family(CommandTable& table);
void register_keys_family(CommandTable& table);
void register_string_family(CommandTable& table);
void register_hash_family(CommandTable& table);
void register_set_family(CommandTable& table);
void register_list_family(CommandTable& table);
void register_multi_family(CommandTable& table);
void register_stm_family(CommandTable& table);
void register_slowlog_family(CommandTable& table);
void register_zset_family(CommandTable& table);
void register_acl_family(CommandTable& table);
// EVAL, SCRIPT, FCALL, FUNCTION (src/scripting/).
void register_scripting_family(CommandTable& table);
void register_sort_family(CommandTable& table);
void register_hll_family(CommandTable& table);
void register_persist_family(CommandTable& table);

}  // namespace stmkv
