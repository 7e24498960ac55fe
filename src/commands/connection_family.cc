// commands/connection_family.cc — connection commands (Redis's PING, ECHO, QUIT, RESET,
// SELECT, HELLO, AUTH and the CLIENT container). None runs in a transaction: they only touch
// the calling client's state (and, for CLIENT KILL, other clients' kill flags).
#include <string>
#include <vector>

#include "commands/info.h"
#include "commands/util.h"
#include "server/acl.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr std::string_view kRedisVersion = "7.0.15";

void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.out.add_array_len(lines.size());
  for (std::string_view l : lines) ctx.out.add_simple_string(l);
}

// Redis's validateClientName: printable ASCII without spaces ('!'..'~').
bool valid_client_name(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void set_client_name(CommandContext& ctx, std::string_view name) {
  std::lock_guard<std::mutex> g(ctx.server.clients().lock());
  ctx.client.name.assign(name);
}

void reply_wrongpass(CommandContext& ctx) {
  ctx.out.add_error("WRONGPASS invalid username-password pair or user is disabled.");
}

void cmd_ping(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply_arity_error();
    return;
  }
  if (ctx.argc() == 1) {
    ctx.out.add_simple_string("PONG");
  } else {
    ctx.out.add_bulk(ctx.arg(1));
  }
}

void cmd_echo(CommandContext& ctx) { ctx.out.add_bulk(ctx.arg(1)); }

void cmd_quit(CommandContext& ctx) {
  ctx.out.add_ok();
  ctx.client.close_after_reply = true;
}

void cmd_reset(CommandContext& ctx) {
  multi_discard(ctx.client);  // leaves MULTI, unwatches
  {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());
    ctx.client.db = 0;
    ctx.client.name.clear();
    ctx.client.resp = 2;  // CLIENT LIST reads these from other workers
    ctx.client.no_evict = false;
  }
  acl_attach_default(ctx.server, ctx.client);  // as Redis: the default user, authenticated if nopass
  ctx.out.set_resp(2);
  ctx.client.reply_mode = ReplyMode::kOn;
  ctx.out.add_simple_string("RESET");
}

void cmd_select(CommandContext& ctx) {
  int64_t index;
  if (!parse_int64(ctx.arg(1), &index) || index < INT32_MIN || index > INT32_MAX) {
    ctx.reply_not_integer();
    return;
  }
  if (index < 0 || index >= ctx.server.config().databases) {
    ctx.out.add_error("ERR DB index is out of range");
    return;
  }
  {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());
    ctx.client.db = static_cast<int>(index);
  }
  ctx.out.add_ok();
}

// AUTH [username] password, checked by the ACL (server/acl.h); AUTH password is the default
// user's, refused when that user is nopass.
void cmd_auth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  std::string_view user = "default";
  if (ctx.argc() == 2) {
    std::shared_ptr<const AclUser> d = ctx.server.acl().default_user();
    if (d->nopass) {
      ctx.out.add_error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return;
    }
  } else {
    user = ctx.arg(1);
  }
  if (!acl_authenticate(ctx.server, ctx.client, user, ctx.arg(ctx.argc() - 1))) {
    reply_wrongpass(ctx);
    return;
  }
  ctx.out.add_ok();
}

void cmd_hello(CommandContext& ctx) {
  int64_t ver = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    if (!parse_int64(ctx.arg(next++), &ver)) {
      ctx.out.add_error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.out.add_error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view user, password, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < ctx.argc(); ++j) {
    size_t more = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (iequals(opt, "auth") && more >= 2) {
      has_auth = true;
      user = ctx.arg(j + 1);
      password = ctx.arg(j + 2);
      j += 2;
    } else if (iequals(opt, "setname") && more >= 1) {
      name = ctx.arg(j + 1);
      if (!valid_client_name(name)) {
        ctx.out.add_error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      has_name = true;
      j++;
    } else {
      ctx.out.add_error("ERR Syntax error in HELLO option '" + std::string(opt) + "'");
      return;
    }
  }
  if (has_auth && !acl_authenticate(ctx.server, ctx.client, user, password)) {
    reply_wrongpass(ctx);
    return;
  }
  if (!ctx.client.authenticated) {
    ctx.out.add_error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
    return;
  }
  if (has_name) set_client_name(ctx, name);
  if (ver != 0) {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());
    ctx.client.resp = static_cast<int>(ver);
    ctx.out.set_resp(static_cast<int>(ver));
  }
  ctx.out.add_map_len(7);
  ctx.out.add_bulk("server");
  ctx.out.add_bulk("redis");
  ctx.out.add_bulk("version");
  ctx.out.add_bulk(kRedisVersion);
  ctx.out.add_bulk("proto");
  ctx.out.add_integer(ctx.client.resp);
  ctx.out.add_bulk("id");
  ctx.out.add_integer(static_cast<long long>(ctx.client.id));
  ctx.out.add_bulk("mode");
  ctx.out.add_bulk("standalone");
  ctx.out.add_bulk("role");
  ctx.out.add_bulk("master");
  ctx.out.add_bulk("modules");
  ctx.out.add_empty_array();
}

// --- CLIENT ---

void cmd_client_id(CommandContext& ctx) {
  ctx.out.add_integer(static_cast<long long>(ctx.client.id));
}

void cmd_client_setname(CommandContext& ctx) {
  if (!valid_client_name(ctx.arg(2))) {
    ctx.out.add_error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  set_client_name(ctx, ctx.arg(2));
  ctx.out.add_ok();
}

void cmd_client_getname(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.out.add_null();
  } else {
    ctx.out.add_bulk(ctx.client.name);
  }
}

// Client types of CLIENT LIST / KILL TYPE: all our clients are "normal".
bool known_client_type(std::string_view t) {
  return iequals(t, "normal") || iequals(t, "master") || iequals(t, "replica") ||
         iequals(t, "slave") || iequals(t, "pubsub");
}

void cmd_client_list(CommandContext& ctx) {
  std::vector<uint64_t> ids;
  bool type_normal = true;
  if (ctx.argc() == 4 && iequals(ctx.arg(2), "type")) {
    if (!known_client_type(ctx.arg(3))) {
      ctx.out.add_error("ERR Unknown client type '" + std::string(ctx.arg(3)) + "'");
      return;
    }
    type_normal = iequals(ctx.arg(3), "normal");
  } else if (ctx.argc() > 3 && iequals(ctx.arg(2), "id")) {
    for (size_t j = 3; j < ctx.argc(); ++j) {
      int64_t id;
      if (!parse_int64(ctx.arg(j), &id) || id <= 0) {
        ctx.out.add_error("ERR Invalid client ID");
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (ctx.argc() != 2) {
    ctx.reply_syntax_error();
    return;
  }
  std::vector<std::pair<uint64_t, std::string>> lines;
  if (type_normal) {
    int64_t now = now_ms();
    ctx.server.clients().for_each([&](ClientState& c) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), c.id) == ids.end()) return;
      lines.emplace_back(c.id, client_info_line(ctx.server, c, now));
    });
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (auto& [id, line] : lines) {
    text += line;
    text += '\n';
  }
  ctx.out.add_verbatim(text);
}

void cmd_client_info(CommandContext& ctx) {
  std::string line;
  {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());
    line = client_info_line(ctx.server, ctx.client, now_ms());
  }
  line += '\n';
  ctx.out.add_verbatim(line);
}

struct KillFilter {
  uint64_t id = 0;
  std::string_view addr, laddr, user, type;
  bool skipme = true;
};

void cmd_client_kill(CommandContext& ctx) {
  KillFilter f;
  bool old_form = ctx.argc() == 3;
  if (old_form) {
    f.addr = ctx.arg(2);
    f.skipme = false;
  } else {
    if (ctx.argc() % 2 != 0) {
      ctx.reply_syntax_error();
      return;
    }
    for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
      std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
      if (iequals(opt, "id")) {
        int64_t id;
        if (!parse_int64(val, &id) || id <= 0) {
          ctx.out.add_error("ERR client-id should be greater than 0");
          return;
        }
        f.id = static_cast<uint64_t>(id);
      } else if (iequals(opt, "type")) {
        if (!known_client_type(val)) {
          ctx.out.add_error("ERR Unknown client type '" + std::string(val) + "'");
          return;
        }
        f.type = val;
      } else if (iequals(opt, "addr")) {
        f.addr = val;
      } else if (iequals(opt, "laddr")) {
        f.laddr = val;
      } else if (iequals(opt, "user")) {
        if (ctx.server.acl().find(val) == nullptr) {
          ctx.out.add_error("ERR No such user '" + std::string(val) + "'");
          return;
        }
        f.user = val;
      } else if (iequals(opt, "skipme")) {
        if (iequals(val, "yes")) {
          f.skipme = true;
        } else if (iequals(val, "no")) {
          f.skipme = false;
        } else {
          ctx.reply_syntax_error();
          return;
        }
      } else {
        ctx.reply_syntax_error();
        return;
      }
    }
  }
  long long killed = 0;
  bool kill_self = false;
  std::vector<int> wake;
  ctx.server.clients().for_each([&](ClientState& c) {
    if (f.id != 0 && c.id != f.id) return;
    if (!f.addr.empty() && c.addr != f.addr) return;
    if (!f.laddr.empty() && c.laddr != f.laddr) return;
    if (!f.user.empty() && (c.user == nullptr ? "default" : c.user->name) != f.user) return;
    if (!f.type.empty() && !iequals(f.type, "normal")) return;
    if (&c == &ctx.client) {
      if (f.skipme) return;
      kill_self = true;
    } else {
      c.kill_requested.store(true, std::memory_order_release);
      wake.push_back(c.worker);
    }
    killed++;
  });
  if (ctx.server.wake_worker) {
    for (int w : wake) ctx.server.wake_worker(w);
  }
  if (kill_self) ctx.client.close_after_reply = true;
  if (old_form) {
    if (killed == 0) {
      ctx.out.add_error("ERR No such client");
    } else {
      ctx.out.add_ok();
    }
  } else {
    ctx.out.add_integer(killed);
  }
}

void cmd_client_reply(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (iequals(mode, "on")) {
    ctx.client.reply_mode = ReplyMode::kOn;
    ctx.out.add_ok();
  } else if (iequals(mode, "off")) {
    ctx.client.reply_mode = ReplyMode::kOff;
  } else if (iequals(mode, "skip")) {
    if (ctx.client.reply_mode == ReplyMode::kOn) ctx.client.reply_mode = ReplyMode::kSkip;
  } else {
    ctx.reply_syntax_error();
  }
}

void cmd_client_no_evict(CommandContext& ctx) {
  bool on = iequals(ctx.arg(2), "on");
  if (!on && !iequals(ctx.arg(2), "off")) {
    ctx.reply_syntax_error();
    return;
  }
  {
    std::lock_guard<std::mutex> g(ctx.server.clients().lock());  // CLIENT LIST reads it
    ctx.client.no_evict = on;
  }
  ctx.out.add_ok();
}

// Redis 7.2's CLIENT SETINFO.
void cmd_client_setinfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), val = ctx.arg(3);
  bool lib_name = iequals(attr, "lib-name");
  if (!lib_name && !iequals(attr, "lib-ver")) {
    ctx.out.add_error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!valid_client_name(val)) {
    ctx.out.add_error("ERR " + std::string(lib_name ? "lib-name" : "lib-ver") +
                      " cannot contain spaces, newlines or special characters.");
    return;
  }
  std::lock_guard<std::mutex> g(ctx.server.clients().lock());
  (lib_name ? ctx.client.lib_name : ctx.client.lib_ver).assign(val);
  ctx.out.add_ok();
}

void cmd_client_help(CommandContext& ctx) {
  reply_help(ctx, {
                      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "GETNAME",
                      "    Return the name of the current connection.",
                      "ID",
                      "    Return the ID of the current connection.",
                      "INFO",
                      "    Return information about the current client connection.",
                      "KILL <ip:port>",
                      "    Kill connection made from <ip:port>.",
                      "KILL <option> <value> [<option> <value> [...]]",
                      "    Kill connections. Options are:",
                      "    * ADDR (<ip:port>|<unixsocket>:0)",
                      "      Kill connections made from the specified address",
                      "    * LADDR (<ip:port>|<unixsocket>:0)",
                      "      Kill connections made to specified local address",
                      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                      "      Kill connections by type.",
                      "    * USER <username>",
                      "      Kill connections authenticated by <username>.",
                      "    * SKIPME (YES|NO)",
                      "      Skip killing current connection (default: yes).",
                      "LIST [options ...]",
                      "    Return information about client connections. Options:",
                      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                      "      Return clients of specified type.",
                      "REPLY (ON|OFF|SKIP)",
                      "    Control the replies sent to the current connection.",
                      "SETNAME <name>",
                      "    Assign the name <name> to the current connection.",
                      "SETINFO <LIB-NAME|LIB-VER> <value>",
                      "    Set client meta attr. Options are:",
                      "    * LIB-NAME: the client lib name.",
                      "    * LIB-VER: the client lib version.",
                      "NO-EVICT (ON|OFF)",
                      "    Protect current client connection from eviction.",
                      "HELP",
                      "    Prints this help.",
                  });
}

}  // namespace

void register_connection_family(CommandTable& t) {
  constexpr uint32_t kConnFlags = kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint64_t kConn = kAclConnection;
  t.add({.name = "ping",
         .arity = -1,
         .flags = kCmdFast,
         .acl = kAclFast | kConn,
         .handler = cmd_ping,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Ping the server",
         .complexity = "O(1)",
         .syntax = "[message]"});
  t.add({.name = "echo",
         .arity = 2,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kAclFast | kConn,
         .handler = cmd_echo,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Echo the given string",
         .complexity = "O(1)",
         .syntax = "message"});
  t.add({.name = "quit",
         .arity = -1,
         .flags = kCmdAllowBusy | kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth,
         .acl = kAclFast | kConn,
         .handler = cmd_quit,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Close the connection",
         .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "reset",
         .arity = 1,
         .flags = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy,
         .acl = kAclFast | kConn,
         .handler = cmd_reset,
         .group = "connection",
         .since = "6.2.0",
         .summary = "Reset the connection",
         .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "select",
         .arity = 2,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kAclFast | kConn,
         .handler = cmd_select,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Change the selected database for the current connection",
         .complexity = "O(1)",
         .syntax = "index"});
  t.add({.name = "auth",
         .arity = -2,
         .flags = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy,
         .acl = kAclFast | kConn,
         .handler = cmd_auth,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Authenticate to the server",
         .complexity = "O(N) where N is the number of "
                       "passwords defined for the user",
         .syntax = "[username] password"});
  t.add({.name = "hello",
         .arity = -1,
         .flags = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy,
         .acl = kAclFast | kConn,
         .handler = cmd_hello,
         .group = "connection",
         .since = "6.0.0",
         .summary = "Handshake with Redis",
         .complexity = "O(1)",
         .syntax = "[protover [AUTH username password] [SETNAME clientname]]"});

  constexpr uint64_t kAdminConn = kAclAdmin | kAclSlow | kAclDangerous | kConn;
  CommandSpec client{.name = "client",
                     .arity = -2,
                     .acl = kAclSlow,
                     .group = "connection",
                     .since = "2.4.0",
                     .summary = "A container for client connection commands",
                     .complexity = "Depends on subcommand."};
  client.subcommands = {
      {.name = "id",
       .arity = 2,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_id,
       .group = "connection",
       .since = "5.0.0",
       .summary = "Returns the client ID for the current connection",
       .complexity = "O(1)"},
      {.name = "setname",
       .arity = 3,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_setname,
       .group = "connection",
       .since = "2.6.9",
       .summary = "Set the current connection name",
       .complexity = "O(1)",
       .syntax = "connection-name"},
      {.name = "getname",
       .arity = 2,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_getname,
       .group = "connection",
       .since = "2.6.9",
       .summary = "Get the current connection name",
       .complexity = "O(1)"},
      {.name = "list",
       .arity = -2,
       .flags = kCmdAdmin | kConnFlags,
       .acl = kAdminConn,
       .handler = cmd_client_list,
       .group = "connection",
       .since = "2.4.0",
       .summary = "Get the list of client connections",
       .complexity = "O(N) where N is the number of client connections",
       .syntax = "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"},
      {.name = "info",
       .arity = 2,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_info,
       .group = "connection",
       .since = "6.2.0",
       .summary = "Returns information about the current client connection.",
       .complexity = "O(1)"},
      {.name = "kill",
       .arity = -3,
       .flags = kCmdAdmin | kConnFlags,
       .acl = kAdminConn,
       .handler = cmd_client_kill,
       .group = "connection",
       .since = "2.4.0",
       .summary = "Kill the connection of a client",
       .complexity = "O(N) where N is the number of client connections",
       .syntax = "ip:port|[ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] "
                 "[USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]"},
      {.name = "reply",
       .arity = 3,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_reply,
       .group = "connection",
       .since = "3.2.0",
       .summary = "Instruct the server whether to reply to commands",
       .complexity = "O(1)",
       .syntax = "ON|OFF|SKIP"},
      {.name = "no-evict",
       .arity = 3,
       .flags = kCmdAdmin | kConnFlags,
       .acl = kAdminConn,
       .handler = cmd_client_no_evict,
       .group = "connection",
       .since = "7.0.0",
       .summary = "Set client eviction mode for the current connection",
       .complexity = "O(1)",
       .syntax = "ON|OFF"},
      {.name = "setinfo",
       .arity = 4,
       .flags = kConnFlags,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_setinfo,
       .group = "connection",
       .since = "7.2.0",
       .summary = "Set client or connection specific info",
       .complexity = "O(1)",
       .syntax = "LIB-NAME libname|LIB-VER libver"},
      {.name = "help",
       .arity = 2,
       .flags = kCmdLoading | kCmdStale,
       .acl = kAclSlow | kConn,
       .handler = cmd_client_help,
       .group = "connection",
       .since = "5.0.0",
       .summary = "Show helpful text about the different subcommands",
       .complexity = "O(1)"},
  };
  t.add(std::move(client));
}

}  // namespace stmkv
