// Tests of the connection family (PING, ECHO, QUIT, RESET, SELECT, AUTH, HELLO, CLIENT) through
// the dispatcher; expected replies are redis-server 7.0.15's.
#include <gtest/gtest.h>

#include <map>

#include "harness.h"

namespace {

using namespace stmkv_test;

const char kNameError[] = "ERR Client names cannot contain spaces, newlines or special characters.";

TEST(ConnectionFamily, PingEcho) {
  Harness h;
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(h.run({"ping", "hello"}), bulk("hello"));
  EXPECT_EQ(h.run({"PING", "a", "b"}), error("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(h.run({"ECHO", "x y"}), bulk("x y"));
  EXPECT_EQ(h.run({"ECHO"}), error("ERR wrong number of arguments for 'echo' command"));
  EXPECT_EQ(h.run({"HELLO", "3"}).substr(0, 3), "%7\r");
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(h.run({"PING", "m"}), bulk("m"));
}

TEST(ConnectionFamily, QuitClosesAfterReply) {
  Harness h;
  EXPECT_FALSE(h.client(0).close_after_reply);
  EXPECT_EQ(h.run({"QUIT"}), kOk);
  EXPECT_TRUE(h.client(0).close_after_reply);
}

TEST(ConnectionFamily, Select) {
  Harness h;
  EXPECT_EQ(h.run({"SELECT", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"SELECT", "-1"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"SELECT", "x"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"SELECT", "99999999999999999999"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"SET", "k", "v0"}), kOk);
  EXPECT_EQ(h.run({"SELECT", "3"}), kOk);
  EXPECT_EQ(h.client(0).db, 3);
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(h.run({"SELECT", "0"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v0"));
}

TEST(ConnectionFamily, Reset) {
  Harness h;
  EXPECT_EQ(h.run({"SELECT", "2"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "n"}), kOk);
  h.run({"HELLO", "3"});
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.client(0).db, 0);
  EXPECT_EQ(h.client(0).resp, 2);
  EXPECT_EQ(h.client(0).reply_mode, stmkv::ReplyMode::kOn);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(h.run({"RESET", "x"}), error("ERR wrong number of arguments for 'reset' command"));
}

TEST(ConnectionFamily, Auth) {
  Harness h;
  EXPECT_EQ(h.run({"AUTH", "x"}),
            error("ERR AUTH <password> called without any password configured for the default "
                  "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(h.run({"AUTH", "a", "b"}),
            error("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(h.run({"AUTH", "default", "anything"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "a", "b", "c"}), error("ERR syntax error"));
}

TEST(ConnectionFamily, Hello) {
  Harness h;
  std::string id = std::to_string(h.client(0).id);
  std::string body =
      bulk("server") + bulk("redis") + bulk("version") + bulk("7.0.15") + bulk("proto");
  std::string tail = bulk("id") + integer(h.client(0).id) + bulk("mode") + bulk("standalone") +
                     bulk("role") + bulk("master") + bulk("modules") + "*0\r\n";
  EXPECT_EQ(h.run({"HELLO"}), "*14\r\n" + body + integer(2) + tail);
  EXPECT_EQ(h.run({"HELLO", "3"}), "%7\r\n" + body + integer(3) + tail);
  EXPECT_EQ(h.client(0).resp, 3);
  EXPECT_EQ(h.run({"HELLO"}), "%7\r\n" + body + integer(3) + tail);
  EXPECT_EQ(h.run({"HELLO", "2"}), "*14\r\n" + body + integer(2) + tail);
  EXPECT_EQ(h.client(0).resp, 2);
  EXPECT_EQ(h.run({"HELLO", "4"}), error("NOPROTO unsupported protocol version"));
  EXPECT_EQ(h.run({"HELLO", "1"}), error("NOPROTO unsupported protocol version"));
  EXPECT_EQ(h.run({"HELLO", "x"}), error("ERR Protocol version is not an integer or out of range"));
  EXPECT_EQ(h.run({"HELLO", "2", "foo"}), error("ERR Syntax error in HELLO option 'foo'"));
  EXPECT_EQ(h.run({"HELLO", "2", "AUTH", "a"}), error("ERR Syntax error in HELLO option 'AUTH'"));
  EXPECT_EQ(h.run({"HELLO", "2", "AUTH", "a", "b"}),
            error("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(h.run({"HELLO", "2", "SETNAME", "a b"}), error(kNameError));
  EXPECT_EQ(h.run({"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "conn1"}),
            "*14\r\n" + body + integer(2) + tail);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), bulk("conn1"));
}

TEST(ConnectionFamily, ClientIdNames) {
  Harness h;
  EXPECT_EQ(h.run({"CLIENT", "ID"}), integer(h.client(0).id));
  EXPECT_EQ(h.run({"CLIENT", "ID"}, 1), integer(h.client(1).id));
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "a b"}), error(kNameError));
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "a\nb"}), error(kNameError));
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "myname"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), bulk("myname"));
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", ""}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(h.run({"CLIENT", "SETNAME"}),
            error("ERR wrong number of arguments for 'client|setname' command"));
  EXPECT_EQ(h.run({"CLIENT"}), error("ERR wrong number of arguments for 'client' command"));
  EXPECT_EQ(h.run({"CLIENT", "FOO"}), error("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
  std::string help = h.run({"CLIENT", "HELP"});
  EXPECT_NE(help.find("\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
            std::string::npos);
}

// Splits "k=v k=v" into pairs.
std::vector<std::pair<std::string, std::string>> fields(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string::npos) sp = line.size();
    std::string f = line.substr(pos, sp - pos);
    size_t eq = f.find('=');
    out.emplace_back(f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1));
    pos = sp + 1;
  }
  return out;
}

// The payload of a RESP2 bulk reply.
std::string bulk_payload(const std::string& r) {
  size_t nl = r.find("\r\n");
  return r.substr(nl + 2, r.size() - nl - 4);
}

TEST(ConnectionFamily, ClientListAndInfo) {
  Harness h(2, 3);
  h.run({"CLIENT", "SETNAME", "second"}, 1);
  std::string list = bulk_payload(h.run({"CLIENT", "LIST"}));
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < list.size();) {
    size_t nl = list.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    lines.push_back(list.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::string> kNames = {
      "id",        "addr", "laddr", "fd",   "name",     "age",     "idle",      "flags",
      "db",        "sub",  "psub",  "ssub", "multi",    "qbuf",    "qbuf-free", "argv-mem",
      "multi-mem", "rbs",  "rbp",   "obl",  "oll",      "omem",    "tot-mem",   "events",
      "cmd",       "user", "redir", "resp", "lib-name", "lib-ver", "worker"};
  auto f0 = fields(lines[0]);
  ASSERT_EQ(f0.size(), kNames.size());
  for (size_t i = 0; i < kNames.size(); ++i) EXPECT_EQ(f0[i].first, kNames[i]);
  EXPECT_EQ(f0[0].second, std::to_string(h.client(0).id));
  EXPECT_EQ(f0[1].second, "127.0.0.1:40000");
  EXPECT_EQ(f0[24].second, "client|list");
  EXPECT_EQ(f0[25].second, "default");
  EXPECT_EQ(f0[7].second, "N");   // flags
  EXPECT_EQ(f0[29].second, "");   // lib-name
  EXPECT_EQ(f0[30].second, "0");  // worker
  auto f1 = fields(lines[1]);
  EXPECT_EQ(f1[4].second, "second");
  EXPECT_EQ(f1[24].second, "client|setname");
  EXPECT_EQ(f1[30].second, "1");
  EXPECT_EQ(fields(lines[2])[24].second, "NULL");

  std::string info = bulk_payload(h.run({"CLIENT", "INFO"}, 1));
  ASSERT_EQ(info.back(), '\n');
  EXPECT_EQ(fields(info.substr(0, info.size() - 1))[24].second, "client|info");

  std::string only = bulk_payload(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(1).id)}));
  EXPECT_EQ(fields(only.substr(0, only.size() - 1))[4].second, "second");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "ID", "999"}), bulk(""));
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "pubsub"}), bulk(""));
  std::string normal = bulk_payload(h.run({"CLIENT", "LIST", "TYPE", "normal"}));
  EXPECT_EQ(std::count(normal.begin(), normal.end(), '\n'), 3);
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "foo"}), error("ERR Unknown client type 'foo'"));
  EXPECT_EQ(h.run({"CLIENT", "LIST", "ID", "x"}), error("ERR Invalid client ID"));
  EXPECT_EQ(h.run({"CLIENT", "LIST", "foo"}), error("ERR syntax error"));
  h.run({"HELLO", "3"});
  EXPECT_EQ(h.run({"CLIENT", "INFO"}).substr(0, 1), "=");  // verbatim in RESP3
}

TEST(ConnectionFamily, ClientKill) {
  Harness h(2, 3);
  EXPECT_EQ(h.run({"CLIENT", "KILL", "1.2.3.4:5"}), error("ERR No such client"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "999"}), integer(0));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "x"}), error("ERR client-id should be greater than 0"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "0"}), error("ERR client-id should be greater than 0"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "TYPE", "foo"}), error("ERR Unknown client type 'foo'"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "USER", "bob"}), error("ERR No such user 'bob'"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "SKIPME", "maybe"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "FOO", "bar"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "1", "TYPE"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"CLIENT", "KILL"}),
            error("ERR wrong number of arguments for 'client|kill' command"));

  std::vector<int> woken;
  h.server().wake_worker = [&](int w) { woken.push_back(w); };
  // Old form: by address, OK.
  EXPECT_EQ(h.run({"CLIENT", "KILL", "127.0.0.1:40001"}), kOk);
  EXPECT_TRUE(h.client(1).kill_requested.load());
  EXPECT_EQ(woken, std::vector<int>{1});
  // New form: by id; the count of clients killed.
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", std::to_string(h.client(2).id)}), integer(1));
  EXPECT_TRUE(h.client(2).kill_requested.load());
  // SKIPME yes (the default) spares the caller; no kills it after the reply.
  EXPECT_EQ(h.run({"CLIENT", "KILL", "LADDR", "127.0.0.1:6379"}), integer(2));
  EXPECT_FALSE(h.client(0).close_after_reply);
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ADDR", "127.0.0.1:40000", "SKIPME", "no"}), integer(1));
  EXPECT_TRUE(h.client(0).close_after_reply);
  EXPECT_FALSE(h.client(0).kill_requested.load());
  h.server().wake_worker = nullptr;
}

TEST(ConnectionFamily, ClientReplyNoEvictSetinfo) {
  Harness h;
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "FOO"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.client(0).reply_mode, stmkv::ReplyMode::kSkip);
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.client(0).reply_mode, stmkv::ReplyMode::kOff);
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "ON"}), kOk);
  EXPECT_EQ(h.client(0).reply_mode, stmkv::ReplyMode::kOn);

  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "x"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "on"}), kOk);
  EXPECT_TRUE(h.client(0).no_evict);
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "OFF"}), kOk);
  EXPECT_FALSE(h.client(0).no_evict);

  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "lib-name", "redis-py"}), kOk);
  EXPECT_EQ(h.client(0).lib_name, "redis-py");
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "LIB-VER", "5.0"}), kOk);
  EXPECT_EQ(h.client(0).lib_ver, "5.0");
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "lib-name", "a b"}),
            error("ERR lib-name cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "foo", "bar"}), error("ERR Unrecognized option 'foo'"));
}

// Fields of CLIENT INFO by name.
std::map<std::string, std::string> client_info(Harness& h, int client = 0) {
  std::string line = bulk_payload(h.run({"CLIENT", "INFO"}, client));
  std::map<std::string, std::string> m;
  for (auto& [k, v] : fields(line.substr(0, line.size() - 1))) m[k] = v;
  return m;
}

// Redis 7.0's flag letters: "e" for NO-EVICT, "N" when no flag is set; 7.2's lib-name/lib-ver
// fields after resp.
TEST(ConnectionFamily, ClientFlagsAndLibInfo) {
  Harness h(1, 2);
  EXPECT_EQ(client_info(h)["flags"], "N");
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "on"}), kOk);
  EXPECT_EQ(client_info(h)["flags"], "e");
  std::string list =
      bulk_payload(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(0).id)}, 1));
  EXPECT_NE(list.find(" flags=e "), std::string::npos) << list;
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "off"}), kOk);
  EXPECT_EQ(client_info(h)["flags"], "N");
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "on"}), kOk);
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(client_info(h)["flags"], "N");
  // A client being killed shows A (close ASAP) until its worker closes it.
  h.client(1).kill_requested.store(true);
  list = bulk_payload(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(1).id)}));
  EXPECT_NE(list.find(" flags=A "), std::string::npos) << list;

  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "LIB-NAME", "mylib"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "LIB-VER", "1.2.3"}), kOk);
  std::string info = bulk_payload(h.run({"CLIENT", "INFO"}));
  EXPECT_NE(info.find(" resp=2 lib-name=mylib lib-ver=1.2.3 worker=0\n"), std::string::npos)
      << info;
}

// In MULTI a client shows flag x and multi=<queued commands>, as Redis 7.0; a blocked client b.
TEST(ConnectionFamily, ClientFlagsMultiAndBlocked) {
  Harness h(1, 2);
  // Client 0 as client 1 sees it in CLIENT LIST.
  auto client_info = [&](Harness& h, int, int) {
    std::string line =
        bulk_payload(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(0).id)}, 1));
    std::map<std::string, std::string> m;
    for (auto& [k, v] : fields(line.substr(0, line.size() - 1))) m[k] = v;
    return m;
  };
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  auto info = client_info(h, 1, 0);
  EXPECT_EQ(info["flags"], "x");
  EXPECT_EQ(info["multi"], "0");
  EXPECT_EQ(h.run({"SET", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"INCR", "a"}), "+QUEUED\r\n");
  info = client_info(h, 1, 0);
  EXPECT_EQ(info["multi"], "2");
  EXPECT_EQ(info["cmd"], "incr");  // the last queued command, as Redis
  h.run({"EXEC"});
  info = client_info(h, 1, 0);
  EXPECT_EQ(info["flags"], "N");
  EXPECT_EQ(info["multi"], "-1");
  h.client(0).blocked.store(true);
  EXPECT_EQ(client_info(h, 1, 0)["flags"], "b");
  h.client(0).blocked.store(false);
}

}  // namespace
