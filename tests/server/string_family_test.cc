// Tests of the string family through the command dispatcher.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using namespace stmkv_test;

TEST(StringFamily, GetSetBasics) {
  Harness h;
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(h.run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(h.run({"get", "k"}), bulk("v"));
  EXPECT_EQ(h.run({"get", "k"}, 1), bulk("v"));   // the other worker's view
  EXPECT_EQ(h.run({"set", "k", "v2", "NX"}), kNil);
  EXPECT_EQ(h.run({"set", "k", "v2", "XX", "GET"}), bulk("v"));
  EXPECT_EQ(h.run({"set", "k2", "x", "XX"}), kNil);
  EXPECT_EQ(h.run({"get"}), error("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "nx", "xx"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "0"}),
            error("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "abc"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"set", "k", "v", "keepttl", "ex", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "10", "ex", "10"}), kOk);
  EXPECT_EQ(h.run({"set", "k", "v", "exat", "1"}), kOk);
  EXPECT_EQ(h.run({"get", "k"}), kNil);   // expired at once
}

TEST(StringFamily, UnknownCommand) {
  Harness h;
  EXPECT_EQ(h.run({"foo", "a", "b"}),
            error("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
}

TEST(StringFamily, ManyKeysGrowTheTable) {
  Harness h;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(h.run({"set", "key:" + std::to_string(i), std::to_string(i)}, i % 2), kOk);
  }
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(h.run({"get", "key:" + std::to_string(i)}, (i + 1) % 2), bulk(std::to_string(i)));
  }
}

}  // namespace
