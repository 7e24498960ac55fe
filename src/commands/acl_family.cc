// commands/acl_family.cc — the ACL container (Redis 7.0's ACL SETUSER, GETUSER, DELUSER, LIST,
// USERS, WHOAMI, CAT, LOG, GENPASS, DRYRUN, SAVE, LOAD, HELP) over server/acl.h. None runs in
// a transaction: users live outside the heap.
#include <openssl/rand.h>

#include <algorithm>
#include <string>
#include <vector>

#include "commands/util.h"
#include "server/acl.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

std::string aclfile(Server& server) {
  std::lock_guard<std::mutex> g(server.config_lock());
  return server.config().aclfile;
}

// Closes the connections of clients whose user no longer exists (ACL DELUSER, ACL LOAD), as
// Redis does; the calling client is closed after its reply.
void kill_orphaned_clients(CommandContext& ctx) {
  std::vector<int> wake;
  std::vector<std::string> names;
  for (const auto& u : ctx.server.acl().users()) names.push_back(u->name);
  ctx.server.clients().for_each([&](ClientState& c) {
    if (c.user == nullptr || std::binary_search(names.begin(), names.end(), c.user->name)) return;
    if (&c == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      c.kill_requested.store(true, std::memory_order_release);
      wake.push_back(c.worker);
    }
  });
  if (ctx.server.wake_worker) {
    for (int w : wake) ctx.server.wake_worker(w);
  }
}

void cmd_acl_setuser(CommandContext& ctx) {
  std::string_view name = ctx.arg(2);
  if (name.find_first_of(std::string_view(" \0", 2)) != std::string_view::npos) {
    ctx.out.add_error("ERR Usernames can't contain spaces or null characters");
    return;
  }
  std::vector<std::string_view> rules(ctx.argv.begin() + 3, ctx.argv.end());
  if (std::optional<std::string> e = ctx.server.acl().set_user(name, rules)) {
    ctx.out.add_error("ERR " + *e);
    return;
  }
  ctx.out.add_ok();
}

void cmd_acl_getuser(CommandContext& ctx) {
  std::shared_ptr<const AclUser> u = ctx.server.acl().find(ctx.arg(2));
  if (u == nullptr) {
    ctx.out.add_null();
    return;
  }
  ctx.out.add_map_len(6);
  ctx.out.add_bulk("flags");
  std::vector<std::string> flags = u->flags();
  ctx.out.add_set_len(flags.size());
  for (const std::string& f : flags) ctx.out.add_bulk(f);
  ctx.out.add_bulk("passwords");
  ctx.out.add_array_len(u->passwords.size());
  for (const std::string& p : u->passwords) ctx.out.add_bulk(p);
  ctx.out.add_bulk("commands");
  ctx.out.add_bulk(u->describe_commands());
  ctx.out.add_bulk("keys");
  ctx.out.add_bulk(u->describe_keys());
  ctx.out.add_bulk("channels");
  ctx.out.add_bulk(u->describe_channels());
  ctx.out.add_bulk("selectors");
  ctx.out.add_empty_array();
}

void cmd_acl_deluser(CommandContext& ctx) {
  std::vector<std::string_view> names(ctx.argv.begin() + 2, ctx.argv.end());
  for (std::string_view n : names) {
    if (n == "default") {
      ctx.out.add_error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  int n = ctx.server.acl().del_users(names);
  if (n > 0) kill_orphaned_clients(ctx);
  ctx.out.add_integer(n);
}

void cmd_acl_list(CommandContext& ctx) {
  auto users = ctx.server.acl().users();
  ctx.out.add_array_len(users.size());
  for (const auto& u : users) ctx.out.add_bulk("user " + u->name + " " + u->describe());
}

void cmd_acl_users(CommandContext& ctx) {
  auto users = ctx.server.acl().users();
  ctx.out.add_array_len(users.size());
  for (const auto& u : users) ctx.out.add_bulk(u->name);
}

void cmd_acl_whoami(CommandContext& ctx) {
  ctx.out.add_bulk(ctx.client.user != nullptr ? std::string_view(ctx.client.user->name)
                                              : std::string_view("default"));
}

void cmd_acl_cat(CommandContext& ctx) {
  auto names = acl_category_names();
  if (ctx.argc() == 2) {
    ctx.out.add_array_len(names.size());
    for (std::string_view n : names) ctx.out.add_bulk(n);
    return;
  }
  uint64_t bit = acl_category_bit(ctx.arg(2));
  if (bit == 0) {
    ctx.out.add_error("ERR Unknown category '" + std::string(ctx.arg(2)) + "'");
    return;
  }
  std::vector<const CommandSpec*> found;
  for (const auto& spec : ctx.server.commands().all()) {
    if (acl_command_categories(*spec) & bit) found.push_back(spec.get());
    for (const CommandSpec& sub : spec->subcommands) {
      if (acl_command_categories(sub) & bit) found.push_back(&sub);
    }
  }
  ctx.out.add_array_len(found.size());
  for (const CommandSpec* s : found) ctx.out.add_bulk(s->full_name);
}

void cmd_acl_log(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  if (ctx.argc() == 3) {
    if (iequals(ctx.arg(2), "reset")) {
      ctx.server.acl().log_reset();
      ctx.out.add_ok();
      return;
    }
    if (!parse_int64(ctx.arg(2), &count)) {
      ctx.reply_not_integer();
      return;
    }
  }
  auto entries = ctx.server.acl().log_entries(count < 0 ? SIZE_MAX : size_t(count));
  int64_t now = now_ms();
  ctx.out.add_array_len(entries.size());
  for (const AclLogEntry& e : entries) {
    ctx.out.add_map_len(10);
    ctx.out.add_bulk("count");
    ctx.out.add_integer(static_cast<long long>(e.count));
    ctx.out.add_bulk("reason");
    ctx.out.add_bulk(e.reason);
    ctx.out.add_bulk("context");
    ctx.out.add_bulk(e.context);
    ctx.out.add_bulk("object");
    ctx.out.add_bulk(e.object);
    ctx.out.add_bulk("username");
    ctx.out.add_bulk(e.username);
    ctx.out.add_bulk("age-seconds");
    ctx.out.add_double(double(now - e.ctime_ms) / 1000.0);
    ctx.out.add_bulk("client-info");
    ctx.out.add_bulk(e.client_info);
    ctx.out.add_bulk("entry-id");
    ctx.out.add_integer(static_cast<long long>(e.entry_id));
    ctx.out.add_bulk("timestamp-created");
    ctx.out.add_integer(e.created_ms);
    ctx.out.add_bulk("timestamp-last-updated");
    ctx.out.add_integer(e.ctime_ms);
  }
}

void cmd_acl_genpass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  if (ctx.argc() == 3 && (!parse_int64(ctx.arg(2), &bits) || bits <= 0 || bits > 4096)) {
    ctx.out.add_error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
    return;
  }
  size_t chars = size_t(bits + 3) / 4;
  std::vector<unsigned char> raw((chars + 1) / 2);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    ctx.out.add_error("ERR failed to generate random bytes");
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string pass;
  for (unsigned char b : raw) {
    pass += kHex[b >> 4];
    pass += kHex[b & 15];
  }
  pass.resize(chars);
  ctx.out.add_bulk(pass);
}

void cmd_acl_dryrun(CommandContext& ctx) {
  std::shared_ptr<const AclUser> u = ctx.server.acl().find(ctx.arg(2));
  if (u == nullptr) {
    ctx.out.add_error("ERR User '" + std::string(ctx.arg(2)) + "' not found");
    return;
  }
  std::span<const std::string_view> argv = ctx.argv.subspan(3);
  const CommandSpec* spec = ctx.server.commands().find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    if (const CommandSpec* sub = CommandTable::find_sub(*spec, argv[1])) spec = sub;
  }
  if (spec == nullptr) {
    ctx.out.add_error("ERR Command '" + std::string(argv[0]) + "' not found");
    return;
  }
  if ((spec->arity > 0 && argv.size() != size_t(spec->arity)) ||
      (spec->arity < 0 && argv.size() < size_t(-spec->arity))) {
    ctx.out.add_error("ERR wrong number of arguments for '" + spec->full_name + "' command");
    return;
  }
  size_t errpos = 0;
  switch (acl_check(*u, *spec, argv, &errpos)) {
    case AclDenial::kNone:
      ctx.out.add_ok();
      break;
    case AclDenial::kCommand:
      ctx.out.add_bulk("This user has no permissions to run the '" + spec->full_name +
                       "' command");
      break;
    case AclDenial::kKey:
      ctx.out.add_bulk("This user has no permissions to access the '" + std::string(argv[errpos]) +
                       "' key");
      break;
    case AclDenial::kChannel:
      ctx.out.add_bulk("This user has no permissions to access the '" + std::string(argv[errpos]) +
                       "' channel");
      break;
  }
}

void cmd_acl_save(CommandContext& ctx) {
  std::string path = aclfile(ctx.server);
  if (path.empty()) {
    ctx.out.add_error(kNoAclFile);
    return;
  }
  if (std::optional<std::string> e = ctx.server.acl().save_file(path)) {
    ctx.out.add_error("ERR There was an error trying to save the ACLs. Please check the server "
                      "logs for more information");
    return;
  }
  ctx.out.add_ok();
}

void cmd_acl_load(CommandContext& ctx) {
  std::string path = aclfile(ctx.server);
  if (path.empty()) {
    ctx.out.add_error(kNoAclFile);
    return;
  }
  if (std::optional<std::string> e = ctx.server.acl().load_file(path)) {
    ctx.out.add_error("ERR " + *e);
    return;
  }
  kill_orphaned_clients(ctx);
  ctx.out.add_ok();
}

void cmd_acl_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.add_array_len(std::size(kLines));
  for (std::string_view l : kLines) ctx.out.add_simple_string(l);
}

}  // namespace

void register_acl_family(CommandTable& t) {
  constexpr uint32_t kBase = kCmdNoscript | kCmdLoading | kCmdStale | kCmdSentinel;
  constexpr uint32_t kAdm = kCmdAdmin | kBase;
  constexpr uint64_t kAdmAcl = kAclAdmin | kAclSlow | kAclDangerous;
  auto sub = [](std::string_view name, int arity, uint32_t flags, uint64_t acl,
                CommandHandler h, std::string_view since, std::string_view summary,
                std::string_view complexity, std::string_view syntax) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl = acl,
                       .handler = h,
                       .group = "server",
                       .since = since,
                       .summary = summary,
                       .complexity = complexity,
                       .syntax = syntax};
  };
  constexpr std::string_view kPerUser = "O(N). Where N is the number of configured users.";
  CommandSpec acl{.name = "acl",
                  .arity = -2,
                  .acl = kAclSlow,
                  .group = "server",
                  .since = "6.0.0",
                  .summary = "A container for Access List Control commands ",
                  .complexity = "Depends on subcommand."};
  acl.subcommands = {
      sub("cat", -2, kBase, kAclSlow, cmd_acl_cat, "6.0.0",
          "List the ACL categories or the commands inside a category",
          "O(1) since the categories and commands are a fixed set.", "[categoryname]"),
      sub("deluser", -3, kAdm, kAdmAcl, cmd_acl_deluser, "6.0.0",
          "Remove the specified ACL users and the associated rules",
          "O(1) amortized time considering the typical user.", "username [username ...]"),
      sub("dryrun", -4, kAdm, kAdmAcl, cmd_acl_dryrun, "7.0.0",
          "Returns whether the user can execute the given command without executing the "
          "command.",
          "O(1).", "username command [arg [arg ...]]"),
      sub("genpass", -2, kBase, kAclSlow, cmd_acl_genpass, "6.0.0",
          "Generate a pseudorandom secure password to use for ACL users", "O(1)", "[bits]"),
      sub("getuser", 3, kAdm, kAdmAcl, cmd_acl_getuser, "6.0.0",
          "Get the rules for a specific ACL user",
          "O(N). Where N is the number of password, command and pattern rules that the user "
          "has.",
          "username"),
      sub("help", 2, kCmdLoading | kCmdStale | kCmdSentinel, kAclSlow, cmd_acl_help, "6.0.0",
          "Show helpful text about the different subcommands", "O(1)", ""),
      sub("list", 2, kAdm, kAdmAcl, cmd_acl_list, "6.0.0",
          "List the current ACL rules in ACL config file format", kPerUser, ""),
      sub("load", 2, kAdm, kAdmAcl, cmd_acl_load, "6.0.0",
          "Reload the ACLs from the configured ACL file", kPerUser, ""),
      sub("log", -2, kAdm, kAdmAcl, cmd_acl_log, "6.0.0",
          "List latest events denied because of ACLs in place",
          "O(N) with N being the number of entries shown.", "[count|RESET]"),
      sub("save", 2, kAdm, kAdmAcl, cmd_acl_save, "6.0.0",
          "Save the current ACL rules in the configured ACL file", kPerUser, ""),
      sub("setuser", -3, kAdm, kAdmAcl, cmd_acl_setuser, "6.0.0",
          "Modify or create the rules for a specific ACL user",
          "O(N). Where N is the number of rules provided.", "username [rule [rule ...]]"),
      sub("users", 2, kAdm, kAdmAcl, cmd_acl_users, "6.0.0",
          "List the username of all the configured ACL rules", kPerUser, ""),
      sub("whoami", 2, kBase, kAclSlow, cmd_acl_whoami, "6.0.0",
          "Return the name of the user associated to the current connection", "O(1)", ""),
  };
  t.add(std::move(acl));
}

}  // namespace stmkv
