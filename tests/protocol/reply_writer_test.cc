#include "protocol/reply_writer.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>
#include <string>

namespace protocol {
namespace {

using namespace std::string_literals;

// Runs `write` on a RESP2 and a RESP3 writer and returns both outputs.
template <typename F>
std::pair<std::string, std::string> both(F write) {
  ReplyWriter resp2(2);
  ReplyWriter resp3(3);
  write(resp2);
  write(resp3);
  return {resp2.take(), resp3.take()};
}

using Pair = std::pair<std::string, std::string>;

TEST(ReplyWriterTest, SimpleTypesSameInBothVersions) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_simple_string("PONG"); }),
            Pair("+PONG\r\n", "+PONG\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_ok(); }), Pair("+OK\r\n", "+OK\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_error("ERR unknown command 'x'"); }),
            Pair("-ERR unknown command 'x'\r\n", "-ERR unknown command 'x'\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) {
              w.add_error("WRONGTYPE Operation against a key holding the wrong kind of value");
            }).first,
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_integer(0); }), Pair(":0\r\n", ":0\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_integer(-42); }), Pair(":-42\r\n", ":-42\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_integer(LLONG_MIN); }).first,
            ":-9223372036854775808\r\n");
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bulk("hello"); }),
            Pair("$5\r\nhello\r\n", "$5\r\nhello\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bulk(""); }), Pair("$0\r\n\r\n", "$0\r\n\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bulk("a\0\r\nb"s); }).second, "$5\r\na\0\r\nb\r\n"s);
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bulk_integer(-17); }),
            Pair("$3\r\n-17\r\n", "$3\r\n-17\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_array_len(3); }), Pair("*3\r\n", "*3\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_empty_array(); }), Pair("*0\r\n", "*0\r\n"));
}

TEST(ReplyWriterTest, LineRepliesCannotBreakTheProtocol) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_error("ERR bad\r\nthing"); }).first,
            "-ERR bad  thing\r\n");
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_simple_string("a\nb"); }).second, "+a b\r\n");
}

TEST(ReplyWriterTest, Nulls) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_null(); }), Pair("$-1\r\n", "_\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_null_array(); }), Pair("*-1\r\n", "_\r\n"));
}

TEST(ReplyWriterTest, AggregateHeaders) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_map_len(2); }), Pair("*4\r\n", "%2\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_set_len(5); }), Pair("*5\r\n", "~5\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_push_len(3); }), Pair("*3\r\n", ">3\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_map_len(0); }), Pair("*0\r\n", "%0\r\n"));
}

TEST(ReplyWriterTest, HgetallLikeReply) {
  // HSET h f 1; HGETALL h — byte for byte what redis-server 7.0 sends.
  const Pair out = both([](ReplyWriter& w) {
    w.add_map_len(1);
    w.add_bulk("f");
    w.add_bulk("1");
  });
  EXPECT_EQ(out, Pair("*2\r\n$1\r\nf\r\n$1\r\n1\r\n", "%1\r\n$1\r\nf\r\n$1\r\n1\r\n"));
}

TEST(ReplyWriterTest, Doubles) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(1.1); }),
            Pair("$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(3); }), Pair("$1\r\n3\r\n", ",3\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(std::numeric_limits<double>::infinity()); }),
            Pair("$3\r\ninf\r\n", ",inf\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(-std::numeric_limits<double>::infinity()); }),
            Pair("$4\r\n-inf\r\n", ",-inf\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(1e300); }),
            Pair("$23\r\n1.0000000000000001e+300\r\n", ",1.0000000000000001e+300\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_double(std::nan("")); }),
            Pair("$3\r\nnan\r\n", ",nan\r\n"));
}

TEST(ReplyWriterTest, Booleans) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bool(true); }), Pair(":1\r\n", "#t\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_bool(false); }), Pair(":0\r\n", "#f\r\n"));
}

TEST(ReplyWriterTest, Verbatim) {
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_verbatim("id=1\n"); }),
            Pair("$5\r\nid=1\n\r\n", "=9\r\ntxt:id=1\n\r\n"));
  EXPECT_EQ(both([](ReplyWriter& w) { w.add_verbatim("# x", "mkd"); }).second, "=7\r\nmkd:# x\r\n");
}

TEST(ReplyWriterTest, BigNumber) {
  EXPECT_EQ(
      both([](ReplyWriter& w) { w.add_big_number("123456789012345678901234567890"); }),
      Pair("$30\r\n123456789012345678901234567890\r\n", "(123456789012345678901234567890\r\n"));
}

TEST(ReplyWriterTest, DeferredLengths) {
  const Pair out = both([](ReplyWriter& w) {
    w.add_integer(1);
    const size_t outer = w.begin_deferred_len();
    w.add_bulk("a");
    const size_t inner = w.begin_deferred_len();
    w.add_bulk("x");
    w.add_bulk("y");
    w.set_deferred_set_len(inner, 2);
    w.set_deferred_map_len(outer, 1);
  });
  EXPECT_EQ(out.first, ":1\r\n*2\r\n$1\r\na\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  EXPECT_EQ(out.second, ":1\r\n%1\r\n$1\r\na\r\n~2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  ReplyWriter w(2);
  const size_t mark = w.begin_deferred_len();
  w.set_deferred_array_len(mark, 0);
  EXPECT_EQ(w.view(), "*0\r\n");
}

TEST(ReplyWriterTest, BufferManagement) {
  ReplyWriter w;
  EXPECT_EQ(w.resp(), 2);
  EXPECT_TRUE(w.empty());
  w.add_ok();
  w.add_integer(5);
  EXPECT_EQ(w.size(), 9u);
  EXPECT_EQ(w.view(), "+OK\r\n:5\r\n");
  EXPECT_EQ(w.take(), "+OK\r\n:5\r\n");
  EXPECT_TRUE(w.empty());
  w.add_null();
  w.set_resp(3);
  w.add_null();
  EXPECT_EQ(w.view(), "$-1\r\n_\r\n");
  w.clear();
  EXPECT_EQ(w.size(), 0u);
  w.add_raw("+QUEUED\r\n");
  EXPECT_EQ(w.take(), "+QUEUED\r\n");
}

}  // namespace
}  // namespace protocol
