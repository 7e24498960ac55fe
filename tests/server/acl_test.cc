// tests/server/acl_test.cc — AUTH, requirepass, ACL rules and commands, NOPERM and ACL LOG,
// redaction; expected replies are redis-server 7.0.15's.
#include "server/acl.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "harness.h"
#include "server/config.h"

namespace {

using stmkv_test::bulk;
using stmkv_test::error;
using stmkv_test::Harness;
using stmkv_test::integer;
using stmkv_test::kOk;

constexpr std::string_view kNoPermGet = "NOPERM this user has no permissions to run the 'get' command";
constexpr std::string_view kNoPermKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

std::string set_user(Harness& h, std::vector<std::string> rules) {
  std::vector<std::string> argv = {"ACL", "SETUSER"};
  argv.insert(argv.end(), rules.begin(), rules.end());
  return h.run(argv);
}

TEST(Acl, Sha256) {
  EXPECT_EQ(stmkv::acl_sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(stmkv::acl_sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Acl, DefaultUserAndAuthWithoutPassword) {
  Harness h;
  EXPECT_EQ(h.run({"ACL", "LIST"}), "*1\r\n" + bulk("user default on nopass ~* &* +@all"));
  EXPECT_EQ(h.run({"ACL", "WHOAMI"}), bulk("default"));
  EXPECT_EQ(h.run({"AUTH", "foo"}),
            error("ERR AUTH <password> called without any password configured for the default "
                  "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(h.run({"AUTH", "a", "b"}), error(kWrongPass));
  EXPECT_EQ(h.run({"AUTH", "default", "anything"}), kOk);  // nopass: any password
  EXPECT_EQ(h.run({"AUTH", "a", "b", "c"}), error("ERR syntax error"));
}

TEST(Acl, RequirepassAndNoauth) {
  Harness h(1, 3);
  EXPECT_EQ(h.run({"CONFIG", "SET", "requirepass", "s3cret"}), kOk);
  // Clients connected (attached) before keep their authentication, as in Redis.
  EXPECT_EQ(h.run({"SET", "k", "v"}), kOk);
  // A fresh client must authenticate.
  stmkv::ClientState& fresh = h.client(1);
  stmkv::acl_attach_default(h.server(), fresh);
  EXPECT_EQ(h.run({"GET", "k"}, 1), error("NOAUTH Authentication required."));
  EXPECT_EQ(h.run({"HELLO", "3"}, 1),
            error("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                  "the HELLO AUTH <user> <pass> option can be used to authenticate the client "
                  "and select the RESP protocol version at the same time"));
  EXPECT_TRUE(stmkv::acl_auth_required(h.server(), fresh));
  // Unknown commands and arity errors come before NOAUTH, as in Redis.
  EXPECT_EQ(h.run({"NOSUCH"}, 1).substr(0, 20), "-ERR unknown command");
  EXPECT_EQ(h.run({"AUTH", "wrong"}, 1), error(kWrongPass));
  EXPECT_EQ(h.run({"AUTH", "s3cret"}, 1), kOk);
  EXPECT_EQ(h.run({"GET", "k"}, 1), bulk("v"));
  EXPECT_FALSE(stmkv::acl_auth_required(h.server(), fresh));
  EXPECT_EQ(h.run({"ACL", "GETUSER", "default"}).find("nopass"), std::string::npos);
  // HELLO AUTH authenticates a fresh client and switches protocol.
  stmkv::acl_attach_default(h.server(), h.client(2));
  EXPECT_EQ(h.run({"HELLO", "3", "AUTH", "default", "bad"}, 2), error(kWrongPass));
  std::string hello = h.run({"HELLO", "3", "AUTH", "default", "s3cret"}, 2);
  EXPECT_EQ(hello.substr(0, 3), "%7\r");
  // Back to no password: everyone may run commands again.
  EXPECT_EQ(h.run({"CONFIG", "SET", "requirepass", ""}), kOk);
  stmkv::acl_attach_default(h.server(), fresh);
  EXPECT_EQ(h.run({"GET", "k"}, 1), bulk("v"));
}

TEST(Acl, SetUserErrorsAsRedis) {
  Harness h;
  auto err = [](std::string_view mod, std::string_view why) {
    return error("ERR Error in ACL SETUSER modifier '" + std::string(mod) + "': " +
                 std::string(why));
  };
  EXPECT_EQ(set_user(h, {"bob", "foo"}), err("foo", "Syntax error"));
  EXPECT_EQ(set_user(h, {"bob", "+nosuch"}),
            err("+nosuch", "Unknown command or category name in ACL"));
  EXPECT_EQ(set_user(h, {"bob", "+@nosuch"}),
            err("+@nosuch", "Unknown command or category name in ACL"));
  EXPECT_EQ(set_user(h, {"bob", "+config|nosuch"}),
            err("+config|nosuch", "Unknown command or category name in ACL"));
  EXPECT_EQ(set_user(h, {"bob", "<nopw"}),
            err("<nopw", "The password you are trying to remove from the user does not exist"));
  EXPECT_EQ(set_user(h, {"bob", "#abc"}),
            err("#abc", "The password hash must be exactly 64 characters and contain only "
                        "lowercase hexadecimal characters"));
  EXPECT_EQ(set_user(h, {"bob", "%X~foo"}), err("%X~foo", "Syntax error"));
  EXPECT_EQ(set_user(h, {"bob", "allkeys", "~foo"}),
            err("~foo", "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                        "valid and does not have any effect. Try 'resetkeys' to start with an "
                        "empty list of patterns"));
  // A failed SETUSER creates nothing.
  EXPECT_EQ(h.run({"ACL", "USERS"}), "*1\r\n" + bulk("default"));
  EXPECT_EQ(h.run({"ACL", "DELUSER", "default"}),
            error("ERR The 'default' user cannot be removed"));
}

TEST(Acl, DescriptionsAsRedis) {
  Harness h;
  EXPECT_EQ(set_user(h, {"alice", "on", ">pw", "~foo*", "%R~bar*", "+get", "+set", "+@hash",
                         "+client|id"}),
            kOk);
  EXPECT_EQ(h.run({"ACL", "LIST"}),
            "*2\r\n" +
                bulk("user alice on "
                     "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~foo* "
                     "%R~bar* resetchannels -@all +get +set +@hash +client|id") +
                bulk("user default on nopass ~* &* +@all"));
  EXPECT_EQ(set_user(h, {"u2", "on", "nopass", "%R~a*", "%W~b*", "%RW~c*", "~d*", "allchannels"}),
            kOk);
  EXPECT_EQ(set_user(h, {"u3", "on", ">a", ">b", "<a", "reset"}), kOk);
  EXPECT_EQ(set_user(h, {"u4", "%RW~x", "~x", "%R~x"}), kOk);
  EXPECT_EQ(set_user(h, {"u6", "on", "+@all", "-debug", "~*", "&ch1", "&ch2"}), kOk);
  EXPECT_EQ(set_user(h, {"u7", "+select|0", "+get|x"}), kOk);
  std::string list = h.run({"ACL", "LIST"});
  EXPECT_NE(list.find("user u2 on nopass %R~a* %W~b* ~c* ~d* &* -@all\r\n"), std::string::npos);
  EXPECT_NE(list.find("user u3 off sanitize-payload resetchannels -@all\r\n"), std::string::npos);
  EXPECT_NE(list.find("user u4 off ~x resetchannels -@all\r\n"), std::string::npos);
  EXPECT_NE(list.find("user u6 on ~* resetchannels &ch1 &ch2 +@all -debug\r\n"),
            std::string::npos);
  EXPECT_NE(list.find("user u7 off resetchannels -@all +select|0 +get|x\r\n"), std::string::npos);
  // A later rule on the same command replaces the earlier one.
  EXPECT_EQ(set_user(h, {"u8", "+@hash", "-hset", "+config|get", "-config"}), kOk);
  EXPECT_EQ(h.run({"ACL", "GETUSER", "u8"}),
            "*12\r\n" + bulk("flags") + "*1\r\n" + bulk("off") + bulk("passwords") + "*0\r\n" +
                bulk("commands") + bulk("-@all +@hash -hset -config") + bulk("keys") + bulk("") +
                bulk("channels") + bulk("") + bulk("selectors") + "*0\r\n");
  EXPECT_EQ(h.run({"ACL", "GETUSER", "nobody"}), "$-1\r\n");
}

TEST(Acl, PermissionsAndLog) {
  Harness h(1, 2);
  EXPECT_EQ(set_user(h, {"alice", "on", ">pw", "~foo*", "%R~bar*", "+get", "+set", "+mget",
                         "+@hash", "-hgetall", "+client|id", "+multi", "+exec"}),
            kOk);
  EXPECT_EQ(h.run({"AUTH", "alice", "pw"}, 1), kOk);
  EXPECT_EQ(h.run({"ACL", "WHOAMI"}, 1),
            error("NOPERM this user has no permissions to run the 'acl|whoami' command"));
  EXPECT_EQ(h.run({"SET", "foo1", "v"}, 1), kOk);
  EXPECT_EQ(h.run({"GET", "foo1"}, 1), bulk("v"));
  EXPECT_EQ(h.run({"GET", "bar1"}, 1), "$-1\r\n");
  EXPECT_EQ(h.run({"SET", "bar1", "v"}, 1), error(kNoPermKey));  // read-only pattern
  EXPECT_EQ(h.run({"GET", "zzz"}, 1), error(kNoPermKey));
  EXPECT_EQ(h.run({"MGET", "foo1", "bar1", "zzz"}, 1), error(kNoPermKey));
  EXPECT_EQ(h.run({"DEL", "foo1"}, 1),
            error("NOPERM this user has no permissions to run the 'del' command"));
  EXPECT_EQ(h.run({"HSET", "foo2", "f", "v"}, 1), integer(1));
  EXPECT_EQ(h.run({"HGETALL", "foo2"}, 1),
            error("NOPERM this user has no permissions to run the 'hgetall' command"));
  EXPECT_EQ(h.run({"CLIENT", "ID"}, 1).substr(0, 1), ":");
  EXPECT_EQ(h.run({"CLIENT", "LIST"}, 1),
            error("NOPERM this user has no permissions to run the 'client|list' command"));
  EXPECT_EQ(h.run({"PING"}, 1),
            error("NOPERM this user has no permissions to run the 'ping' command"));
  // In MULTI the command is refused at queue time and EXEC aborts.
  EXPECT_EQ(h.run({"MULTI"}, 1), kOk);
  EXPECT_EQ(h.run({"GET", "zzz"}, 1), error(kNoPermKey));
  EXPECT_EQ(h.run({"EXEC"}, 1),
            error("EXECABORT Transaction discarded because of previous errors."));
  // Changing the user applies to its connected clients at their next command.
  EXPECT_EQ(set_user(h, {"alice", "+ping"}), kOk);
  EXPECT_EQ(h.run({"PING"}, 1), "+PONG\r\n");
  EXPECT_EQ(set_user(h, {"alice", "-get"}), kOk);
  EXPECT_EQ(h.run({"GET", "foo1"}, 1), error(kNoPermGet));
  // The log: newest first, grouped.
  std::string log = h.run({"ACL", "LOG", "1"});
  EXPECT_NE(log.find(bulk("reason") + bulk("command") + bulk("context") + bulk("toplevel") +
                     bulk("object") + bulk("get") + bulk("username") + bulk("alice")),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=alice"), std::string::npos);
  std::string all = h.run({"ACL", "LOG"});
  EXPECT_NE(all.find(bulk("context") + bulk("multi") + bulk("object") + bulk("zzz")),
            std::string::npos);
  // GET zzz was refused twice at top level: one entry counted twice.
  EXPECT_NE(all.find(bulk("count") + integer(2) + bulk("reason") + bulk("key") + bulk("context") +
                     bulk("toplevel") + bulk("object") + bulk("zzz")),
            std::string::npos)
      << all;
  EXPECT_EQ(h.run({"AUTH", "alice", "nope"}, 1), error(kWrongPass));
  EXPECT_NE(h.run({"ACL", "LOG", "1"}).find(bulk("reason") + bulk("auth") + bulk("context") +
                                             bulk("toplevel") + bulk("object") + bulk("AUTH") +
                                             bulk("username") + bulk("alice")),
            std::string::npos);
  EXPECT_EQ(h.run({"ACL", "LOG", "RESET"}), kOk);
  EXPECT_EQ(h.run({"ACL", "LOG"}), "*0\r\n");
  EXPECT_EQ(h.run({"ACL", "LOG", "x"}), error("ERR value is not an integer or out of range"));
  // Deleting the user: its client runs with no permission until its connection closes.
  EXPECT_EQ(h.run({"ACL", "DELUSER", "alice", "nobody"}), integer(1));
  EXPECT_TRUE(h.client(1).kill_requested.load());
  EXPECT_EQ(h.run({"SET", "foo1", "v"}, 1),
            error("NOPERM this user has no permissions to run the 'set' command"));
}

TEST(Acl, ExecChecksAgain) {
  Harness h(1, 2);
  EXPECT_EQ(set_user(h, {"alice", "on", "nopass", "~*", "+multi", "+exec", "+set", "+get"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "alice", "x"}, 1), kOk);
  EXPECT_EQ(h.run({"MULTI"}, 1), kOk);
  EXPECT_EQ(h.run({"SET", "k", "v"}, 1), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"GET", "k"}, 1), "+QUEUED\r\n");
  EXPECT_EQ(set_user(h, {"alice", "-set"}), kOk);
  EXPECT_EQ(h.run({"EXEC"}, 1),
            "*2\r\n" +
                error("NOPERM ACLs rules changed between the moment the transaction was "
                      "accumulated and the EXEC call. This command is no longer allowed for the "
                      "following reason: no permission to execute the command or subcommand") +
                "$-1\r\n");
  EXPECT_NE(h.run({"ACL", "LOG", "1"}).find(bulk("context") + bulk("multi") + bulk("object") +
                                             bulk("set")),
            std::string::npos);
}

TEST(Acl, NumkeysAndDisabledUsers) {
  Harness h(1, 2);
  EXPECT_EQ(set_user(h, {"k", "on", "nopass", "+@all", "~a*"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "k", "x"}, 1), kOk);
  EXPECT_EQ(h.run({"ZUNIONSTORE", "a1", "2", "a2", "a3"}, 1), integer(0));
  EXPECT_EQ(h.run({"ZUNIONSTORE", "a1", "2", "a2", "b3"}, 1), error(kNoPermKey));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "a1", "b1"}, 1), error(kNoPermKey));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "a1"}, 1), integer(0));
  EXPECT_EQ(set_user(h, {"k", "off"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "k", "x"}), error(kWrongPass));
}

TEST(Acl, DryrunCatGenpass) {
  Harness h;
  EXPECT_EQ(set_user(h, {"alice", "on", "nopass", "~foo*", "+get"}), kOk);
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "alice", "get", "foo"}), kOk);
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "alice", "get", "x"}),
            bulk("This user has no permissions to access the 'x' key"));
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "alice", "del", "foo"}),
            bulk("This user has no permissions to run the 'del' command"));
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "nobody", "get", "x"}), error("ERR User 'nobody' not found"));
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "alice", "nosuch"}), error("ERR Command 'nosuch' not found"));
  EXPECT_EQ(h.run({"ACL", "DRYRUN", "alice", "get"}),
            error("ERR wrong number of arguments for 'get' command"));
  std::string cats = h.run({"ACL", "CAT"});
  EXPECT_EQ(cats.substr(0, 5), "*21\r\n");
  EXPECT_EQ(h.run({"ACL", "CAT", "nosuch"}), error("ERR Unknown category 'nosuch'"));
  std::string hash = h.run({"ACL", "CAT", "hash"});
  EXPECT_NE(hash.find(bulk("hset")), std::string::npos);
  EXPECT_EQ(hash.find(bulk("get")), std::string::npos);
  std::string dangerous = h.run({"ACL", "CAT", "dangerous"});
  EXPECT_NE(dangerous.find(bulk("client|kill")), std::string::npos);
  EXPECT_NE(dangerous.find(bulk("flushall")), std::string::npos);
  std::string pass = h.run({"ACL", "GENPASS"});
  EXPECT_EQ(pass.substr(0, 4), "$64\r");
  EXPECT_EQ(h.run({"ACL", "GENPASS", "5"}).substr(0, 3), "$2\r");
  EXPECT_EQ(h.run({"ACL", "GENPASS", "0"}),
            error("ERR ACL GENPASS argument must be the number of bits for the output password, "
                  "a positive number up to 4096"));
  EXPECT_EQ(h.run({"ACL", "SAVE"}).substr(0, 60),
            "-ERR This Redis instance is not configured to use an ACL fil");
}

TEST(Acl, FileLoadSaveAndConfigUsers) {
  std::string path = "/tmp/stmkv_acl_test_" + std::to_string(getpid()) + ".acl";
  {
    std::ofstream f(path);
    f << "user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~foo* "
         "+get\n"
         "# comment\n"
         "user default on nopass ~* &* +@all\n";
  }
  stmkv::ServerConfig cfg;
  cfg.aclfile = path;
  cfg.workers = 1;
  cfg.heap_size = int64_t{64} << 20;
  stmkv::Acl acl(cfg);
  ASSERT_NE(acl.find("alice"), nullptr);
  EXPECT_NE(acl.check_password("alice", "pw"), nullptr);
  EXPECT_EQ(acl.check_password("alice", "bad"), nullptr);
  std::vector<std::string_view> rules = {"on", "nopass", "+@all", "~*"};
  EXPECT_EQ(acl.set_user("bob", rules), std::nullopt);
  EXPECT_EQ(acl.save_file(path), std::nullopt);
  {
    std::ifstream f(path);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text,
              "user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 "
              "~foo* resetchannels -@all +get\n"
              "user bob on nopass ~* resetchannels +@all\n"
              "user default on nopass ~* &* +@all\n");
  }
  std::vector<std::string_view> del = {"bob"};
  EXPECT_EQ(acl.del_users(del), 1);
  EXPECT_EQ(acl.load_file(path), std::nullopt);
  EXPECT_NE(acl.find("bob"), nullptr);
  {
    std::ofstream f(path);
    f << "user carol on +nosuch\n";
  }
  std::optional<std::string> e = acl.load_file(path);
  ASSERT_TRUE(e.has_value());
  EXPECT_NE(e->find(":1: Unknown command or category name in ACL"), std::string::npos) << *e;
  EXPECT_NE(acl.find("bob"), nullptr);  // all or nothing
  std::remove(path.c_str());

  // `user` directives of the configuration file, and requirepass.
  stmkv::ServerConfig c2;
  ASSERT_EQ(stmkv::load_config_from_string(
                "requirepass foo\nuser worker on >wpw ~job:* +@list\n", &c2),
            std::nullopt);
  stmkv::Acl acl2(c2);
  EXPECT_NE(acl2.check_password("default", "foo"), nullptr);
  EXPECT_NE(acl2.check_password("worker", "wpw"), nullptr);
  EXPECT_TRUE(acl2.auth_required());
  stmkv::ServerConfig bad;
  bad.user_directives = {{"x", "+nosuch"}};
  EXPECT_THROW(stmkv::Acl{bad}, std::runtime_error);
}

TEST(Acl, SecretsAreRedacted) {
  Harness h;
  EXPECT_EQ(h.run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), kOk);
  EXPECT_EQ(h.run({"SLOWLOG", "RESET"}), kOk);
  EXPECT_EQ(h.run({"ACL", "SETUSER", "alice", "on", ">topsecret", "+@all", "~*"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "alice", "topsecret"}), kOk);
  h.run({"HELLO", "2", "AUTH", "alice", "topsecret"});
  std::string log = h.run({"SLOWLOG", "GET", "10"});
  EXPECT_EQ(log.find("topsecret"), std::string::npos) << log;
  EXPECT_NE(log.find(bulk("(redacted)")), std::string::npos) << log;
  EXPECT_EQ(h.run({"CLIENT", "LIST"}).find("topsecret"), std::string::npos);
  std::string info = h.run({"CLIENT", "INFO"});
  EXPECT_NE(info.find("user=alice"), std::string::npos) << info;
}

TEST(Acl, ResetReturnsToDefaultUser) {
  Harness h;
  EXPECT_EQ(set_user(h, {"alice", "on", "nopass", "+@all", "~*"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "alice", "x"}), kOk);
  EXPECT_EQ(h.run({"ACL", "WHOAMI"}), bulk("alice"));
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.run({"ACL", "WHOAMI"}), bulk("default"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "USER", "nobody"}), error("ERR No such user 'nobody'"));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "USER", "alice"}), integer(0));
}

}  // namespace
