// The effects of transactions as AOF records (server/effects.h): what is recorded, when it
// reaches the sink, and how it is written.
#include "server/effects.h"

#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace {

using stmkv_test::Harness;

std::string g_log;
int g_db = 0;
void capture(const stmkv::Effects& fx, uint64_t) { fx.write_resp(g_log, &g_db); }

class EffectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_log.clear();
    g_db = 0;
    stmkv::set_effects_sink(capture);
  }
  void TearDown() override { stmkv::set_effects_sink(nullptr); }
  Harness h{1, 1};
};

TEST_F(EffectsTest, WritesThatChangedDataAreRecordedInOrder) {
  h.run({"SET", "k", "v"});
  h.run({"GET", "k"});                // a read: nothing
  h.run({"DEL", "missing"});          // changed nothing: the transaction commits read-only
  h.run({"INCR", "k"});               // an error: nothing
  h.run({"SELECT", "3"});
  h.run({"RPUSH", "l", "a", "b"});
  EXPECT_EQ(g_log,
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
            "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
            "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n");
}

TEST_F(EffectsTest, ExecBlockIsWrittenAsMultiExec) {
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  h.run({"GET", "a"});
  h.run({"INCR", "a"});
  h.run({"EXEC"});
  EXPECT_EQ(g_log,
            "*1\r\n$5\r\nMULTI\r\n"
            "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
            "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"
            "*1\r\n$4\r\nEXEC\r\n");
}

// FUNCTION LOAD runs after the block's transaction (functions live outside the heap): it is
// recorded on its own, after the block.
TEST_F(EffectsTest, CommandsRunAfterTheBlockAreRecorded) {
  const std::string code = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  h.run({"FUNCTION", "LOAD", code});
  EXPECT_EQ(h.run({"EXEC"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(g_log, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
                   "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$" +
                       std::to_string(code.size()) + "\r\n" + code + "\r\n");
}

TEST_F(EffectsTest, NothingIsRecordedWithoutASink) {
  stmkv::set_effects_sink(nullptr);
  h.run({"SET", "k", "v"});
  EXPECT_TRUE(stmkv::Effects::current().empty());
  EXPECT_EQ(g_log, "");
}

}  // namespace
