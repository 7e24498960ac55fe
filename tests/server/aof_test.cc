// Units of the AOF (persist/aof*.h): the manifest's format (Redis 7.0's lines), the command
// reader's handling of cut-off records, and replay through the dispatcher (SELECT, MULTI/EXEC,
// a block without its EXEC).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "persist/aof.h"
#include "persist/aof_load.h"
#include "persist/aof_manifest.h"
#include "persist/persistence.h"

namespace {

using namespace stmkv::persist;
using stmkv_test::bulk;
using stmkv_test::Harness;

TEST(AofManifest, FormatsAsRedis) {
  AofManifest m;
  m.base = AofFileInfo{aof_base_name("appendonly.aof", 1, true), 1, 'b'};
  m.incrs.push_back(AofFileInfo{aof_incr_name("appendonly.aof", 1), 1, 'i'});
  m.incrs.push_back(AofFileInfo{aof_incr_name("appendonly.aof", 2), 2, 'i'});
  EXPECT_EQ(format_aof_manifest(m),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_EQ(aof_base_name("x", 3, false), "x.3.base.aof");
  EXPECT_EQ(aof_manifest_name("appendonly.aof"), "appendonly.aof.manifest");
  EXPECT_EQ(m.next_base_seq(), 2);
  EXPECT_EQ(m.next_incr_seq(), 3);
}

TEST(AofManifest, ParsesRoundTripAndQuotedNames) {
  AofManifest m;
  m.base = AofFileInfo{"with space.1.base.rdb", 1, 'b'};
  m.history.push_back(AofFileInfo{"old.aof", 4, 'h'});
  m.incrs.push_back(AofFileInfo{"a\"b.aof", 5, 'i'});
  std::string text = format_aof_manifest(m);
  EXPECT_NE(text.find("file \"with space.1.base.rdb\" seq 1 type b\n"), std::string::npos);
  std::string error;
  std::optional<AofManifest> p = parse_aof_manifest(text, &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(*p->base, *m.base);
  EXPECT_EQ(p->history, m.history);
  EXPECT_EQ(p->incrs, m.incrs);
  // Keys in any order, comments skipped.
  p = parse_aof_manifest("# c\ntype i seq 7 file x.aof\n", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->incrs[0].name, "x.aof");
  EXPECT_EQ(p->incrs[0].seq, 7);
}

TEST(AofManifest, RejectsBadManifests) {
  std::string error;
  EXPECT_FALSE(parse_aof_manifest("", &error));
  EXPECT_EQ(error, "Found an empty AOF manifest");
  EXPECT_FALSE(parse_aof_manifest("file a seq 1 type b\nfile b seq 2 type b\n", &error));
  EXPECT_EQ(error, "Found duplicate base file information");
  EXPECT_FALSE(parse_aof_manifest("file a seq 2 type i\nfile b seq 1 type i\n", &error));
  EXPECT_EQ(error, "Found a non-monotonic sequence number");
  EXPECT_FALSE(parse_aof_manifest("file a seq 1\n", &error));
  EXPECT_EQ(error, "Invalid AOF manifest file format");
  EXPECT_FALSE(parse_aof_manifest("file a seq 1 type i", &error));  // no final newline
  EXPECT_FALSE(parse_aof_manifest("file a seq 1 type x\n", &error));
  EXPECT_EQ(error, "Unknown AOF file type");
}

TEST(AofReader, CommandsAnnotationsAndCutOffTails) {
  std::string data = "#TS:123\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
  size_t pos = 0;
  std::vector<std::string_view> argv;
  ASSERT_EQ(next_aof_command(data, &pos, &argv), AofParse::kCommand);
  EXPECT_EQ(argv, (std::vector<std::string_view>{"GET", "k"}));
  ASSERT_EQ(next_aof_command(data, &pos, &argv), AofParse::kCommand);
  EXPECT_EQ(argv, (std::vector<std::string_view>{"PING"}));
  EXPECT_EQ(next_aof_command(data, &pos, &argv), AofParse::kEnd);
  // Every proper prefix of a record is a truncation, never a format error.
  std::string rec = "*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$5\r\nhello\r\n";
  for (size_t n = 1; n < rec.size(); ++n) {
    size_t p = 0;
    EXPECT_EQ(next_aof_command(std::string_view(rec).substr(0, n), &p, &argv),
              AofParse::kTruncated)
        << n;
    EXPECT_EQ(p, 0u);
  }
  size_t p = 0;
  EXPECT_EQ(next_aof_command("+OK\r\n", &p, &argv), AofParse::kBadFormat);
  p = 0;
  EXPECT_EQ(next_aof_command("*1\r\n$2\r\nabcd\r\n", &p, &argv), AofParse::kBadFormat);
}

TEST(AofReplay, SelectMultiAndCutOffBlock) {
  Harness h(2, 1);
  std::string data =
      "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
      "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
      "*1\r\n$5\r\nMULTI\r\n"
      "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"
      "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nx\r\n"
      "*1\r\n$4\r\nEXEC\r\n";
  size_t complete = data.size();
  std::string tail =
      "*1\r\n$5\r\nMULTI\r\n"
      "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\ny\r\n";
  AofReplay r = replay_aof(h.server(), h.server().worker(0), data + tail, "t.aof");
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.truncated);  // the last block has no EXEC: dropped
  EXPECT_EQ(r.valid_up_to, complete);
  h.run({"SELECT", "3"});
  EXPECT_EQ(h.run({"GET", "a"}), bulk("2"));
  EXPECT_EQ(h.run({"GET", "b"}), bulk("x"));
  EXPECT_EQ(h.run({"EXISTS", "c"}), ":0\r\n");
  h.run({"SELECT", "0"});
  EXPECT_EQ(h.run({"DBSIZE"}), ":0\r\n");

  // A cut-off record: everything before it applies.
  r = replay_aof(h.server(), h.server().worker(1),
                 "*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n9\r\n*2\r\n$3", "t2.aof");
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.valid_up_to, 27u);
  EXPECT_EQ(h.run({"GET", "z"}), bulk("9"));

  r = replay_aof(h.server(), h.server().worker(0), "*1\r\n$7\r\nNOSUCHC\r\n", "t3.aof");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "Unknown command 'NOSUCHC' reading the append only file t3.aof");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void enable_aof(Harness& h, const std::string& dir, const char* fsync) {
  {
    std::lock_guard<std::mutex> g(h.server().config_lock());
    h.server().config().dir = dir;
    h.server().config().appendonly = true;
    h.server().config().appendfsync = fsync;
  }
  ASSERT_EQ(h.server().persistence().aof().load_at_startup(h.server().worker(0)), std::nullopt);
}

// In-process: the sink and the writer record committed transactions in order (SELECT when the
// database changes, MULTI/EXEC around blocks, nothing for reads, errors or aborted attempts),
// and a second server loads the directory.
TEST(AofWriter, RecordsInCommitOrderAndReloads) {
  char tmpl[] = "/tmp/stmkv-aof-unit-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    Harness h(2, 2);
    enable_aof(h, dir, "always");
    EXPECT_TRUE(h.server().persistence().aof().enabled());
    EXPECT_EQ(h.run({"SET", "a", "1"}), stmkv_test::kOk);
    EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
    EXPECT_EQ(h.run({"INCR", "nope", "extra"}, 1).substr(0, 4), "-ERR");
    EXPECT_EQ(h.run({"SELECT", "2"}, 1), stmkv_test::kOk);
    EXPECT_EQ(h.run({"MULTI"}, 1), stmkv_test::kOk);
    h.run({"INCR", "b"}, 1);
    h.run({"RPUSH", "l", "x"}, 1);
    EXPECT_EQ(h.run({"EXEC"}, 1), "*2\r\n:1\r\n:1\r\n");
    h.server().persistence().aof().shutdown();
    std::string incr = read_file(dir + "/appendonlydir/appendonly.aof.1.incr.aof");
    EXPECT_EQ(incr,
              "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
              "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
              "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
              "*1\r\n$5\r\nMULTI\r\n"
              "*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
              "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n"
              "*1\r\n$4\r\nEXEC\r\n");
    EXPECT_EQ(read_file(dir + "/appendonlydir/appendonly.aof.manifest"),
              "file appendonly.aof.1.base.rdb seq 1 type b\n"
              "file appendonly.aof.1.incr.aof seq 1 type i\n");
  }
  {
    Harness h(1, 1);
    enable_aof(h, dir, "everysec");
    EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
    h.run({"SELECT", "2"});
    EXPECT_EQ(h.run({"GET", "b"}), bulk("1"));
    EXPECT_EQ(h.run({"LRANGE", "l", "0", "-1"}), "*1\r\n" + bulk("x"));
    // A rewrite: the new base holds everything, the new incr file what follows.
    EXPECT_EQ(h.server().persistence().aof().bgrewrite(), Aof::Rewrite::kStarted);
    h.server().persistence().aof().wait_rewrite();
    h.run({"SET", "c", "3"});
    h.server().persistence().aof().shutdown();
    EXPECT_EQ(read_file(dir + "/appendonlydir/appendonly.aof.manifest"),
              "file appendonly.aof.2.base.rdb seq 2 type b\n"
              "file appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_EQ(read_file(dir + "/appendonlydir/appendonly.aof.2.incr.aof"),
              "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
              "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

