// server/acl.h — users, authentication and permissions, as Redis 7.0's ACL.
//
// A user (AclUser) is an immutable snapshot: ACL SETUSER builds a new one from a copy and swaps
// it in, bumping Acl::version(). A client holds a shared_ptr to the snapshot of its user and
// re-reads it by name when the version changed (one relaxed atomic load per command on the fast
// path), so a change of a user applies to its connected clients from their next command, as in
// Redis; clients of a deleted user are disconnected.
//
// Rules follow Redis 7.0: on/off, >pass <pass #hash !hash nopass resetpass, allcommands
// (+@all) nocommands (-@all) +@cat -@cat +cmd -cmd +cmd|sub -cmd|sub +cmd|firstarg, ~pattern
// %R~ %W~ %RW~ allkeys resetkeys, &channel allchannels resetchannels (stored: there is no
// pub/sub yet), sanitize-payload skip-sanitize-payload clearselectors, reset. Selectors ("(...)")
// are refused. Passwords are kept as SHA-256 hex digests only. The command rules are described
// as Redis 7.2 records them (the rules in the order given, a later rule on the same command or
// category replacing the earlier one), which reloads to the same permissions.
//
// Key permissions: a command's keys are its first/last/step positions plus, for commands with a
// `numkeys` argument, the keys it counts. A key read by a read-only command needs R, a key of a
// write command needs W (Redis 7.0 derives R/W per key from key specs; see docs/security.md).
//
// Thread-safety: Acl's methods may be called from any thread. The acl_* functions run on the
// worker that owns the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/command.h"

namespace protocol {
class ReplyWriter;
}

namespace stmkv {

struct ClientState;
struct ServerConfig;
class Server;

struct AclKeyPattern {
  std::string pattern;
  bool read = true;
  bool write = true;
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  int sanitize = 0;                    // 0: unset, 1: sanitize-payload, 2: skip-sanitize-payload
  std::vector<std::string> passwords;  // SHA-256 hex digests, in the order added
  bool allcommands = false;            // +@all given last among +@all/-@all: future commands too
  std::vector<uint64_t> allowed;       // one bit per CommandSpec::id
  std::unordered_map<int, std::vector<std::string>> first_args;  // +cmd|arg, lowercase
  std::string command_rules;           // "+@hash -hset +config|get", as recorded
  bool allkeys = false;
  std::vector<AclKeyPattern> keys;
  bool allchannels = false;
  std::vector<std::string> channels;

  // Whether the command (a subcommand for containers) may run with these arguments, keys aside.
  bool can_run(const CommandSpec& spec, std::span<const std::string_view> argv) const;
  bool can_access_key(std::string_view key, bool read, bool write) const;
  // Every command and every key: the permission check can be skipped.
  bool unrestricted() const { return unrestricted_; }
  // The ACL LIST / ACL SAVE form, without the leading "user <name> ".
  std::string describe() const;
  std::string describe_keys() const;      // "~*", "~a* %R~b*", "" (ACL GETUSER keys)
  std::string describe_channels() const;  // "&*", "&a &b", "" (ACL GETUSER channels)
  std::string describe_commands() const;  // "+@all -debug"
  std::vector<std::string> flags() const;  // "on", "nopass", ...

  bool unrestricted_ = false;  // recomputed by the rule parser
};

// Why a command was refused (ACL LOG reason).
enum class AclDenial { kNone, kCommand, kKey, kChannel };

// One ACL LOG entry (Redis 7.0's fields plus 7.2's entry-id and timestamps).
struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;    // "command", "key", "channel", "auth"
  std::string context;   // "toplevel", "multi", "lua"
  std::string object;    // the command's full name, the key, or "AUTH"
  std::string username;
  int64_t ctime_ms = 0;  // last occurrence
  std::string client_info;
  uint64_t entry_id = 0;
  int64_t created_ms = 0;
};

class Acl {
 public:
  // The default user ("on nopass ~* &* +@all", or with requirepass's password), then the
  // config's `user` directives, then the aclfile if set. Throws std::runtime_error with the
  // message to log when a directive or the file is invalid.
  explicit Acl(const ServerConfig& config);

  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // nullptr when no such user.
  std::shared_ptr<const AclUser> find(std::string_view name) const;
  std::shared_ptr<const AclUser> default_user() const { return find("default"); }
  // The default user is disabled or needs a password: unauthenticated clients get NOAUTH.
  bool auth_required() const { return auth_required_.load(std::memory_order_acquire); }
  // The default user is flagged nopass (protected mode applies).
  bool default_nopass() const { return default_nopass_.load(std::memory_order_acquire); }

  // ACL SETUSER: applies the rules to the user (created "off -@all" when new); all or nothing.
  // Returns nullopt, or Redis's error text ("Error in ACL SETUSER modifier '...': ...").
  std::optional<std::string> set_user(std::string_view name,
                                      std::span<const std::string_view> rules);
  // ACL DELUSER: removes the users (not "default"); returns how many existed.
  int del_users(std::span<const std::string_view> names);
  // Every user, sorted by name.
  std::vector<std::shared_ptr<const AclUser>> users() const;
  // The user if name/password authenticate (enabled, and nopass or a matching password).
  std::shared_ptr<const AclUser> check_password(std::string_view name,
                                                std::string_view password) const;
  // CONFIG SET requirepass / start-up: resetpass, then >password or nopass on the default user.
  void set_default_password(std::string_view password);

  // ACL LOAD: replaces the users with the file's ("user name rules..." lines); the default
  // user keeps its definition when the file has none. Returns nullopt or the error text.
  std::optional<std::string> load_file(const std::string& path);
  // ACL SAVE: writes ACL LIST to the file (through a temporary file and rename).
  std::optional<std::string> save_file(const std::string& path) const;

  // ACL LOG. An entry equal in reason, context, object and user to one less than 60 s old
  // updates that one (count + 1) and moves it first, as Redis groups them.
  void log(AclLogEntry entry, int64_t now_ms);
  std::vector<AclLogEntry> log_entries(size_t count) const;  // newest first
  void log_reset();
  void set_log_max_len(int64_t n);

  // The requirepass value last applied (CONFIG SET sync).
  std::string applied_requirepass() const;

 private:
  void publish(std::shared_ptr<AclUser> user);  // caller holds mu_
  void after_change();                          // caller holds mu_

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> users_;
  std::atomic<uint64_t> version_{1};
  std::atomic<bool> auth_required_{false};
  std::atomic<bool> default_nopass_{true};
  std::string requirepass_;

  mutable std::mutex log_mu_;
  std::deque<AclLogEntry> log_;
  uint64_t next_entry_id_ = 0;
  size_t log_max_len_ = 128;
};

// --- Rules and hashing (exposed for tests and ACL commands) ---

// A fresh user as ACL SETUSER creates it: off, no passwords, no keys, no channels, -@all.
std::shared_ptr<AclUser> acl_new_user(std::string_view name);
// Applies one rule to u. Returns nullopt or the reason ("Syntax error", "Unknown command or
// category name in ACL", ...), as Redis's ACLSetUserStringError.
std::optional<std::string> acl_apply_rule(AclUser& u, std::string_view rule);
// Lowercase hex SHA-256 of s.
std::string acl_sha256_hex(std::string_view s);
// The effective categories of a command: its table bits plus those Redis implies from its flags
// (write -> @write, readonly -> @read, admin -> @admin @dangerous, ... not fast -> @slow).
uint64_t acl_command_categories(const CommandSpec& spec);
// The category bit of a name ("hash"), 0 when unknown.
uint64_t acl_category_bit(std::string_view name);
// The positions of argv's keys for spec (first/last/step, plus numkeys counted keys).
std::vector<size_t> acl_key_positions(const CommandSpec& spec,
                                      std::span<const std::string_view> argv);
// Whether u may run argv; on a denial *errpos is the argument at fault (0 for the command).
AclDenial acl_check(const AclUser& u, const CommandSpec& spec,
                    std::span<const std::string_view> argv, size_t* errpos);

// --- The dispatcher's hooks (run on the client's worker) ---

// Attaches the default user to a new client (authenticated when the default user is nopass
// and enabled, as Redis decides at connection time).
void acl_attach_default(Server& server, ClientState& client);
// Before a command runs or is queued: NOAUTH for an unauthenticated client (unless the command
// is flagged no-auth), NOPERM when the user may not run it (logged in ACL LOG with context
// "multi" inside MULTI, else "toplevel"). Writes the error and returns false when refused.
bool acl_admit(Server& server, ClientState& client, const CommandSpec& spec,
               std::span<const std::string_view> argv, protocol::ReplyWriter& out);
// EXEC (Redis 7.0 checks the queued commands again): "" when the command may still run, else
// the NOPERM error to reply in its place, with *entry filled for ACL LOG (context "multi"; the
// caller adds it once the block has committed).
std::string acl_exec_check(Server& server, ClientState& client, const CommandSpec& spec,
                           std::span<const std::string_view> argv, AclLogEntry* entry);
// Whether the client must still AUTH (the parser then limits unauthenticated requests).
bool acl_auth_required(Server& server, const ClientState& client);
// After CONFIG SET (or EXEC): applies requirepass and acllog-max-len changes.
void acl_sync_config(Server& server);
// AUTH / HELLO AUTH: on success the client runs as the user; on failure an "auth" ACL LOG
// entry is added and false returned (the caller replies WRONGPASS).
bool acl_authenticate(Server& server, ClientState& client, std::string_view user,
                      std::string_view password);
// argv with the secrets of AUTH, HELLO ... AUTH and ACL SETUSER (name and rules) replaced by "(redacted)", as
// Redis redacts them from SLOWLOG (argv itself when nothing is secret; storage holds the copy).
std::span<const std::string_view> acl_redacted_argv(const CommandSpec& spec,
                                                    std::span<const std::string_view> argv,
                                                    std::vector<std::string_view>& storage);

}  // namespace stmkv
