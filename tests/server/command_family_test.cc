// Tests of COMMAND and its subcommands, and of the COMMAND DOCS arguments derived from each
// command's syntax; expected replies are redis-server 7.0.15's.
#include <gtest/gtest.h>

#include "commands/info.h"
#include "harness.h"

namespace {

using namespace stmkv_test;

TEST(CommandFamily, InfoOfGetMatchesRedis) {
  Harness h;
  // Byte for byte what redis-server 7.0.15 replies to COMMAND INFO GET.
  const std::string expected =
      "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
      "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n"
      "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
      "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$"
      "5\r\nindex\r\n:1\r\n"
      "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:"
      "0\r\n"
      "$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
  EXPECT_EQ(h.run({"COMMAND", "INFO", "GET"}), expected);
  EXPECT_EQ(h.run({"COMMAND", "INFO", "nosuch"}), "*1\r\n*-1\r\n");
  // RESP3: flags, categories, tips, key specs and subcommands are sets; maps are maps.
  h.run({"HELLO", "3"});
  std::string r3 = h.run({"COMMAND", "INFO", "get"});
  EXPECT_EQ(r3.rfind("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n", 0), 0u);
  EXPECT_NE(r3.find("~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"), std::string::npos);
}

TEST(CommandFamily, InfoOfContainer) {
  Harness h;
  std::string r = h.run({"COMMAND", "INFO", "client"});
  EXPECT_EQ(
      r.rfind("*1\r\n*10\r\n$6\r\nclient\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n", 0),
      0u);
  EXPECT_NE(
      r.find("$11\r\nclient|list\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n"
             ":0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n"),
      std::string::npos);
  EXPECT_EQ(
      h.run({"COMMAND", "INFO", "client|id"}).rfind("*1\r\n*10\r\n$9\r\nclient|id\r\n:2\r\n", 0),
      0u);
}

TEST(CommandFamily, CountListAll) {
  Harness h;
  const auto& all = h.server().commands().all();
  EXPECT_EQ(h.run({"COMMAND", "COUNT"}), integer(static_cast<long long>(all.size())));
  std::string every = h.run({"COMMAND"});
  EXPECT_EQ(every.substr(0, every.find("\r\n")), "*" + std::to_string(all.size()));
  EXPECT_EQ(h.run({"COMMAND", "INFO"}), every);

  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "client|g*"}),
            "*1\r\n" + bulk("client|getname"));
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "pattern", "ECH?"}), "*1\r\n" + bulk("echo"));
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "*0\r\n");
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}), "*0\r\n");
  std::string conn = h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"});
  EXPECT_NE(conn.find(bulk("ping")), std::string::npos);
  EXPECT_NE(conn.find(bulk("client|list")), std::string::npos);
  EXPECT_EQ(conn.find(bulk("get")), std::string::npos);
  std::string list = h.run({"COMMAND", "LIST"});
  EXPECT_NE(list.find(bulk("config|set")), std::string::npos);
  EXPECT_NE(list.find(bulk("get")), std::string::npos);
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FOO"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "foo", "x"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"COMMAND", "FOO"}), error("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
  EXPECT_EQ(h.run({"COMMAND", "HELP"}).substr(0, 5), "*21\r\n");
}

TEST(CommandFamily, GetKeys) {
  Harness h;
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "GET", "a"}), "*1\r\n" + bulk("a"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "set", "k", "v", "EX", "1"}), "*1\r\n" + bulk("k"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k"}), "*1\r\n" + bulk("k"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "PING", "x"}),
            error("ERR The command has no key arguments"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "FOO", "x"}), error("ERR Invalid command specified"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "SET", "a"}),
            error("ERR Invalid number of arguments specified for command"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "GET"}),
            error("ERR wrong number of arguments for 'command|getkeys' command"));
  EXPECT_EQ(h.run({"COMMAND", "GETKEYSANDFLAGS", "GET", "a"}),
            "*1\r\n*2\r\n" + bulk("a") + "*2\r\n+RO\r\n+access\r\n");
}

TEST(CommandFamily, DocsOfSetMatchesRedisShape) {
  Harness h;
  std::string r = h.run({"COMMAND", "DOCS", "set"});
  EXPECT_EQ(r.rfind("*2\r\n$3\r\nset\r\n*10\r\n", 0), 0u);
  EXPECT_NE(r.find(bulk("summary") + bulk("Set the string value of a key") + bulk("since") +
                   bulk("1.0.0") + bulk("group") + bulk("string") + bulk("complexity") +
                   bulk("O(1)") + bulk("arguments") + "*5\r\n"),
            std::string::npos);
  // key, value, [NX|XX], [GET], [EX seconds|...|KEEPTTL] as Redis describes them.
  EXPECT_NE(r.find("*6\r\n" + bulk("name") + bulk("key") + bulk("type") + bulk("key") +
                   bulk("key_spec_index") + integer(0)),
            std::string::npos);
  EXPECT_NE(r.find("*4\r\n" + bulk("name") + bulk("value") + bulk("type") + bulk("string")),
            std::string::npos);
  EXPECT_NE(r.find(bulk("type") + bulk("oneof") + bulk("flags") + "*1\r\n+optional\r\n" +
                   bulk("arguments") + "*2\r\n*6\r\n" + bulk("name") + bulk("nx") + bulk("type") +
                   bulk("pure-token") + bulk("token") + bulk("NX")),
            std::string::npos);
  EXPECT_NE(r.find("*6\r\n" + bulk("name") + bulk("seconds") + bulk("type") + bulk("integer") +
                   bulk("token") + bulk("EX")),
            std::string::npos);
  EXPECT_NE(r.find(bulk("name") + bulk("unix-time-seconds") + bulk("type") + bulk("unix-time") +
                   bulk("token") + bulk("EXAT")),
            std::string::npos);
  EXPECT_EQ(h.run({"COMMAND", "DOCS", "nosuch"}), "*0\r\n");
  h.run({"HELLO", "3"});
  std::string r3 = h.run({"COMMAND", "DOCS", "client"});
  EXPECT_EQ(r3.rfind("%1\r\n$6\r\nclient\r\n%5\r\n", 0), 0u);
  EXPECT_NE(r3.find(bulk("subcommands") + "%"), std::string::npos);
  EXPECT_NE(r3.find(bulk("client|list") + "%5\r\n"), std::string::npos);
}

std::string render(std::string_view s) {
  return stmkv::render_doc_args(stmkv::parse_doc_syntax(s));
}

TEST(CommandFamily, SyntaxParsing) {
  using stmkv::DocArg;
  std::vector<DocArg> a = stmkv::parse_doc_syntax("key [key ...]");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "key");
  EXPECT_TRUE(a[0].multiple);
  EXPECT_FALSE(a[0].optional);

  a = stmkv::parse_doc_syntax("key [NX|XX] score member [score member ...]");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1].type, "oneof");
  EXPECT_TRUE(a[1].optional);
  EXPECT_EQ(a[2].type, "block");
  EXPECT_EQ(a[2].name, "score_member");
  EXPECT_TRUE(a[2].multiple);
  ASSERT_EQ(a[2].args.size(), 2u);
  EXPECT_EQ(a[2].args[0].type, "double");

  a = stmkv::parse_doc_syntax("[TYPE NORMAL|MASTER|REPLICA|PUBSUB]");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "oneof");
  EXPECT_EQ(a[0].token, "TYPE");
  EXPECT_EQ(a[0].args.size(), 4u);

  a = stmkv::parse_doc_syntax("[LIMIT offset count]");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "block");
  EXPECT_EQ(a[0].token, "LIMIT");
  EXPECT_EQ(a[0].args.size(), 2u);
  EXPECT_EQ(a[0].args[0].type, "integer");

  a = stmkv::parse_doc_syntax("[MATCH pattern] [COUNT count]");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].type, "pattern");
  EXPECT_EQ(a[0].token, "MATCH");

  a = stmkv::parse_doc_syntax("[GETNAME [PREFIX prefix [prefix ...]]]");
  ASSERT_EQ(a.size(), 1u);

  for (std::string_view s :
       {"key [key ...]", "[NX|XX] [GET]", "ON|OFF|SKIP", "[PREFIX prefix [prefix ...]]",
        "[BY pattern] [GET pattern [GET pattern ...]]", "key field value [field value ...]",
        "[LIMIT offset count]", "ip:port|[ID client-id] [SKIPME YES|NO]",
        "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"}) {
    EXPECT_EQ(render(s), s);
  }
}

// Every command's syntax survives the round trip through COMMAND DOCS, so redis-cli's hints
// show exactly the syntax in the table.
TEST(CommandFamily, EverySyntaxRoundTrips) {
  const stmkv::CommandTable& t = stmkv::CommandTable::instance();
  for (int id = 0; id < t.size(); ++id) {
    const stmkv::CommandSpec& spec = t.by_id(id);
    EXPECT_EQ(render(spec.syntax), spec.syntax) << spec.full_name;
    if (spec.subcommands.empty() || spec.handler != nullptr) {
      EXPECT_FALSE(spec.summary.empty()) << spec.full_name;
      EXPECT_FALSE(spec.since.empty()) << spec.full_name;
      EXPECT_FALSE(spec.complexity.empty()) << spec.full_name;
    }
  }
}

}  // namespace
