// RequestParser: protocol errors and limits, with Redis 7.0's exact messages (checked against
// redis-server 7.0.15 where noted in the report), fed at once and one byte at a time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/request_parser.h"
#include "test_util.h"

namespace protocol {
namespace {

using testing::Command;
using testing::multibulk;
using testing::parse_all;
using testing::parse_bytewise;
using testing::ParseResult;
using ErrorKind = RequestParser::ErrorKind;
using Status = RequestParser::Status;

using namespace std::string_literals;

struct ErrorCase {
  std::string input;
  std::string error;
};

void expect_error(const std::string& input, const std::string& error,
                  const ParserLimits& limits = ParserLimits()) {
  for (const ParseResult& result : {parse_all(input, limits), parse_bytewise(input, limits)}) {
    EXPECT_EQ(result.last_status, Status::kError) << ::testing::PrintToString(input);
    EXPECT_EQ(result.error, error) << ::testing::PrintToString(input);
    EXPECT_EQ(result.error_kind, ErrorKind::kProtocol) << ::testing::PrintToString(input);
  }
}

TEST(RequestParserErrorsTest, InvalidMultibulkLength) {
  for (const char* input :
       {"*3000000000\r\n", "*2147483648\r\n", "*abc\r\n", "*\r\n", "*03\r\n", "*+3\r\n", "*1x\r\n",
        "*-\r\n", "*1 \r\n", "* 1\r\n", "*99999999999999999999\r\n", "**1\r\n", "*1*\r\n"}) {
    expect_error(input, "Protocol error: invalid multibulk length");
  }
}

TEST(RequestParserErrorsTest, ConfiguredMultibulkLimit) {
  ParserLimits limits;
  limits.max_multibulk_len = 1024 * 1024;
  expect_error("*1048577\r\n", "Protocol error: invalid multibulk length", limits);
  EXPECT_EQ(parse_all("*1048576\r\n", limits).last_status, Status::kNeedMore);
}

TEST(RequestParserErrorsTest, InvalidBulkLength) {
  for (const char* input :
       {"*1\r\n$-1\r\n", "*1\r\n$-5\r\n", "*1\r\n$abc\r\n", "*1\r\n$03\r\nfoo\r\n",
        "*1\r\n$+3\r\nfoo\r\n", "*1\r\n$-0\r\n", "*1\r\n$536870913\r\n", "*1\r\n$\r\n",
        "*1\r\n$3x\r\nfoo\r\n", "*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n",
        "*1\r\n$9223372036854775808\r\n"}) {
    expect_error(input, "Protocol error: invalid bulk length");
  }
}

TEST(RequestParserErrorsTest, ConfiguredBulkLimit) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  expect_error("*1\r\n$11\r\n", "Protocol error: invalid bulk length", limits);
  const ParseResult result = parse_all(multibulk({"0123456789"}), limits);
  EXPECT_EQ(result.commands, (std::vector<Command>{{"0123456789"}}));
}

TEST(RequestParserErrorsTest, ExpectedDollar) {
  const ErrorCase cases[] = {
      {"*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'"},
      {"*1\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      {"*1\r\n-ERR\r\n", "Protocol error: expected '$', got '-'"},
      {"*1\r\nx", "Protocol error: expected '$', got 'x'"},
      {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n\"", "Protocol error: expected '$', got '\"'"},
      {"*1\r\n\\", "Protocol error: expected '$', got '\\'"},
      {"*1\r\n\t", "Protocol error: expected '$', got '\t'"},
      {"*1\r\n\x01", "Protocol error: expected '$', got '\x01'"},
      {"*1\r\n\xff", "Protocol error: expected '$', got '\xff'"},
      // Redis formats the byte with %c into a C string: a NUL cuts the message short.
      {"*1\r\n\0"s, "Protocol error: expected '$', got '"},
      // From Redis's own test suite ("Wrong multibulk payload header").
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "Protocol error: expected '$', got 'f'"},
      {"*2\r\n$4\r\nPING\r\n+x\r\n", "Protocol error: expected '$', got '+'"},
  };
  for (const ErrorCase& c : cases) expect_error(c.input, c.error);
}

TEST(RequestParserErrorsTest, NestedArraysRejected) {
  expect_error("*1\r\n*1\r\n$4\r\nPING\r\n", "Protocol error: expected '$', got '*'");
  expect_error("*2\r\n$4\r\nECHO\r\n*0\r\n", "Protocol error: expected '$', got '*'");
  expect_error("*2\r\n$4\r\nECHO\r\n*-1\r\n", "Protocol error: expected '$', got '*'");
}

TEST(RequestParserErrorsTest, TooBigHeaderLines) {
  expect_error(std::string("*1").append(70000, '1'), "Protocol error: too big mbulk count string");
  expect_error(std::string("*1\r\n$").append(70000, '1'),
               "Protocol error: too big bulk count string");
  expect_error(std::string("PING").append(70000, 'x'), "Protocol error: too big inline request");
}

TEST(RequestParserErrorsTest, InlineSizeBoundary) {
  // Redis: an error once more than 64 KB are buffered without a newline.
  EXPECT_EQ(parse_all(std::string(64 * 1024, 'x')).last_status, Status::kNeedMore);
  expect_error(std::string(64 * 1024 + 1, 'x'), "Protocol error: too big inline request");
  const std::string long_line = std::string("ECHO ").append(64 * 1024, 'y') + "\r\n";
  EXPECT_EQ(parse_all(long_line).commands,
            (std::vector<Command>{{"ECHO", std::string(64 * 1024, 'y')}}));
}

TEST(RequestParserErrorsTest, UnbalancedQuotes) {
  for (const char* input : {"SET \"a\r\n", "ECHO \"a\"b\r\n", "ECHO 'a\r\n", "ECHO 'a'b\r\n",
                            "ECHO \"a\\\"\r\n", "ECHO \"\\\r\n"}) {
    expect_error(input, "Protocol error: unbalanced quotes in request");
  }
}

TEST(RequestParserErrorsTest, CommandsBeforeTheErrorAreDelivered) {
  const ParseResult result = parse_all("PING\r\n*1\r\n$4\r\nECHO\r\n*1\r\n-ERR\r\nPING\r\n");
  EXPECT_EQ(result.commands, (std::vector<Command>{{"PING"}, {"ECHO"}}));
  EXPECT_EQ(result.error, "Protocol error: expected '$', got '-'");
}

TEST(RequestParserErrorsTest, ErrorStateIsSticky) {
  RequestParser parser;
  parser.feed("*1\r\n$x\r\n");
  EXPECT_EQ(parser.next(), Status::kError);
  parser.feed("PING\r\n");
  EXPECT_EQ(parser.next(), Status::kError);
  EXPECT_TRUE(parser.has_error());
  EXPECT_EQ(parser.error(), "Protocol error: invalid bulk length");
}

TEST(RequestParserErrorsTest, QueryBufferLimit) {
  ParserLimits limits;
  limits.max_query_buffer = 100;
  RequestParser parser(limits);
  parser.feed("*1\r\n$200\r\n");
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  parser.feed(std::string(80, 'a'));
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  parser.feed(std::string(20, 'a'));
  EXPECT_EQ(parser.next(), Status::kError);
  EXPECT_EQ(parser.error_kind(), ErrorKind::kQueryBufferLimit);
  // Redis closes such a client without parsing what it has buffered.
  RequestParser parser2(limits);
  parser2.feed(std::string("PING\r\n").append(100, 'x'));
  EXPECT_EQ(parser2.next(), Status::kError);
  EXPECT_EQ(parser2.error_kind(), ErrorKind::kQueryBufferLimit);
}

TEST(RequestParserErrorsTest, Unauthenticated) {
  RequestParser parser;
  parser.set_auth_required(true);
  parser.feed("*11\r\n");
  EXPECT_EQ(parser.next(), Status::kError);
  EXPECT_EQ(parser.error(), "Protocol error: unauthenticated multibulk length");

  RequestParser parser2;
  parser2.set_auth_required(true);
  parser2.feed("*10\r\n$2001\r\n");
  EXPECT_EQ(parser2.next(), Status::kError);
  EXPECT_EQ(parser2.error(), "Protocol error: unauthenticated bulk length");

  RequestParser parser3;
  parser3.set_auth_required(true);
  parser3.feed(multibulk({"AUTH", std::string(2000, 'p')}));
  EXPECT_EQ(parser3.next(), Status::kCommand);
}

TEST(RequestParserErrorsTest, MissingCrlfWaits) {
  // Redis waits for the line ending (or reports a too-big line later).
  for (const char* input :
       {"*1", "*1\r", "*1\r\n$3", "*1\r\n$3\r", "*1\r\n$3\r\nfoo", "*1\r\n$3\r\nfoo\r"}) {
    const ParseResult result = parse_all(input);
    EXPECT_EQ(result.last_status, Status::kNeedMore) << input;
    EXPECT_TRUE(result.commands.empty()) << input;
  }
}

TEST(RequestParserErrorsTest, GarbageIsInline) {
  // Anything not starting with '*' is an inline request, as in Redis.
  EXPECT_EQ(parse_all("$3\r\nfoo\r\n").commands, (std::vector<Command>{{"$3"}, {"foo"}}));
  EXPECT_EQ(parse_all("\x01\x02 \x7f\n").commands, (std::vector<Command>{{"\x01\x02", "\x7f"}}));
}

}  // namespace
}  // namespace protocol
