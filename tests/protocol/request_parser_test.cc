// RequestParser: request forms, incremental feeding, inline splitting, big bulks.
#include "protocol/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace protocol {
namespace {

using testing::Command;
using testing::multibulk;
using testing::parse_all;
using testing::parse_bytewise;
using testing::parse_with_cuts;
using testing::ParseResult;
using Status = RequestParser::Status;

using namespace std::string_literals;

std::vector<Command> commands_of(const std::string& input) { return parse_all(input).commands; }

// ---- Multibulk forms -------------------------------------------------------------------------

TEST(RequestParserTest, SimpleMultibulk) {
  RequestParser parser;
  parser.feed("*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(parser.next(), Status::kCommand);
  EXPECT_EQ(parser.args().size(), 1u);
  EXPECT_EQ(parser.args()[0], "PING");
  EXPECT_FALSE(parser.last_was_inline());
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  EXPECT_FALSE(parser.has_error());
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(RequestParserTest, SeveralArguments) {
  EXPECT_EQ(commands_of("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
            (std::vector<Command>{{"SET", "key", "value"}}));
}

TEST(RequestParserTest, EmptyBulkArgument) {
  EXPECT_EQ(commands_of("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), (std::vector<Command>{{"ECHO", ""}}));
  EXPECT_EQ(commands_of("*1\r\n$0\r\n\r\n"), (std::vector<Command>{{""}}));
}

TEST(RequestParserTest, BinarySafeArguments) {
  const std::string value = "a\0b\r\nc\r\n\0"s;
  const std::string input = multibulk({"SET", "k\0"s, value});
  const ParseResult result = parse_all(input);
  ASSERT_EQ(result.commands.size(), 1u);
  EXPECT_EQ(result.commands[0][1], "k\0"s);
  EXPECT_EQ(result.commands[0][2], value);
  EXPECT_EQ(parse_bytewise(input), result);
}

TEST(RequestParserTest, AllByteValuesInBulk) {
  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  EXPECT_EQ(commands_of(multibulk({"SET", "k", value})),
            (std::vector<Command>{{"SET", "k", value}}));
}

TEST(RequestParserTest, EmptyRequestsAreSkipped) {
  // "*0", "*-1" and negative counts are empty requests (Redis: "Negative multibulk length").
  EXPECT_EQ(commands_of("*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n"),
            (std::vector<Command>{{"PING"}}));
}

TEST(RequestParserTest, LargeValidCountWaitsForData) {
  // Redis 7.0 accepts counts up to INT_MAX; 1048577 and 20000000 are valid.
  for (const char* input : {"*1048577\r\n", "*20000000\r\n", "*2147483647\r\n"}) {
    const ParseResult result = parse_all(input);
    EXPECT_EQ(result.last_status, Status::kNeedMore) << input;
    EXPECT_TRUE(result.commands.empty());
  }
}

TEST(RequestParserTest, BulkAtProtoMaxBulkLenWaitsForData) {
  const ParseResult result = parse_all("*1\r\n$536870912\r\n");
  EXPECT_EQ(result.last_status, Status::kNeedMore);
  EXPECT_EQ(result.error, "");
}

TEST(RequestParserTest, CrlfAfterBulkDataIsNotChecked) {
  // Redis skips the two bytes after bulk data without looking at them.
  EXPECT_EQ(commands_of("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"),
            (std::vector<Command>{{"PING"}, {"PING"}}));
}

TEST(RequestParserTest, IncompleteInputNeedsMore) {
  const std::string input = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  for (size_t n = 0; n < input.size(); ++n) {
    const ParseResult result = parse_all(input.substr(0, n));
    EXPECT_TRUE(result.commands.empty()) << n;
    EXPECT_EQ(result.last_status, Status::kNeedMore) << n;
  }
}

TEST(RequestParserTest, ArgsStayValidAcrossFeed) {
  RequestParser parser;
  parser.feed(multibulk({"SET", "key", "value"}));
  ASSERT_EQ(parser.next(), Status::kCommand);
  const CommandArgs args = parser.args();
  parser.feed(multibulk({"GET", "other"}));
  EXPECT_EQ(args[1], "key");
  EXPECT_EQ(args[2], "value");
  ASSERT_EQ(parser.next(), Status::kCommand);
  EXPECT_EQ(parser.args().to_vector(), (Command{"GET", "other"}));
}

// ---- Inline forms ----------------------------------------------------------------------------

TEST(RequestParserTest, InlineCommands) {
  RequestParser parser;
  parser.feed("PING\r\n");
  ASSERT_EQ(parser.next(), Status::kCommand);
  EXPECT_EQ(parser.args().to_vector(), (Command{"PING"}));
  EXPECT_TRUE(parser.last_was_inline());
  EXPECT_EQ(commands_of("PING\n"), (std::vector<Command>{{"PING"}}));
  EXPECT_EQ(commands_of("  SET  a \t  b  \r\n"), (std::vector<Command>{{"SET", "a", "b"}}));
  EXPECT_EQ(commands_of("\r\n\n\r\n  \r\nPING\r\n"), (std::vector<Command>{{"PING"}}));
}

TEST(RequestParserTest, InlineWithoutNewlineWaits) {
  const ParseResult result = parse_all("PING");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(result.last_status, Status::kNeedMore);
}

TEST(RequestParserTest, InlineDoubleQuotes) {
  EXPECT_EQ(commands_of("ECHO \"a b\"\r\n"), (std::vector<Command>{{"ECHO", "a b"}}));
  EXPECT_EQ(commands_of("ECHO \"a\\x41\\n\"\r\n"), (std::vector<Command>{{"ECHO", "aA\n"}}));
  EXPECT_EQ(commands_of("ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\\z\"\r\n"),
            (std::vector<Command>{{"ECHO", "\n\r\t\b\a\\\"z"}}));
  EXPECT_EQ(commands_of("ECHO \"\\x00\\xfF\"\r\n"), (std::vector<Command>{{"ECHO", "\0\xff"s}}));
  // "\x" without two hex digits is an escaped 'x'.
  EXPECT_EQ(commands_of("ECHO \"\\xZZ\\x4\"\r\n"), (std::vector<Command>{{"ECHO", "xZZx4"}}));
  EXPECT_EQ(commands_of("ECHO \"\"\r\n"), (std::vector<Command>{{"ECHO", ""}}));
  // A quote may open inside a token; the token continues.
  EXPECT_EQ(commands_of("ECHO foo\"bar baz\"\r\n"), (std::vector<Command>{{"ECHO", "foobar baz"}}));
  EXPECT_EQ(commands_of("ECHO \"a\"\t\"b\"\r\n"), (std::vector<Command>{{"ECHO", "a", "b"}}));
}

TEST(RequestParserTest, InlineSingleQuotes) {
  EXPECT_EQ(commands_of("ECHO 'a\\'b'\r\n"), (std::vector<Command>{{"ECHO", "a'b"}}));
  EXPECT_EQ(commands_of("ECHO 'a\\nb \"c\"'\r\n"), (std::vector<Command>{{"ECHO", "a\\nb \"c\""}}));
  EXPECT_EQ(commands_of("ECHO ''\r\n"), (std::vector<Command>{{"ECHO", ""}}));
}

TEST(RequestParserTest, InlineWhitespaceRules) {
  // CR inside the line separates; \v and \f are skipped between tokens but do not end one.
  EXPECT_EQ(commands_of("A\rB\r\n"), (std::vector<Command>{{"A", "B"}}));
  EXPECT_EQ(commands_of("\v\fA\vB\r\n"), (std::vector<Command>{{"A\vB"}}));
  // Only a CR right before the LF belongs to the line ending.
  EXPECT_EQ(commands_of("A\r\r\n"), (std::vector<Command>{{"A"}}));
}

TEST(RequestParserTest, InlineLineEndsAtNul) {
  // Redis splits a C-string copy of the line: everything after a NUL is ignored.
  EXPECT_EQ(commands_of("ECHO a\0b c\r\nPING\r\n"s),
            (std::vector<Command>{{"ECHO", "a"}, {"PING"}}));
  EXPECT_EQ(commands_of("\0garbage\r\nPING\r\n"s), (std::vector<Command>{{"PING"}}));
}

// ---- Pipelines split at every byte ----------------------------------------------------------

const std::string& mixed_pipeline() {
  static const std::string input = multibulk({"SET", "k\0y"s, "a\r\nb"}) + "PING\r\n" + "*0\r\n" +
                                   "\r\n" + multibulk({"ECHO", ""}) + "ECHO \"a b\" 'c d'\n" +
                                   "*-1\r\n" + multibulk({"PING"}) + "*1\r\n$4\r\nPING\r\n" +
                                   "  GET   x\r\n" + multibulk({"MSET", "a", "1", "b", "2"});
  return input;
}

const std::vector<Command>& mixed_pipeline_commands() {
  static const std::vector<Command> commands = {{"SET", "k\0y"s, "a\r\nb"},
                                                {"PING"},
                                                {"ECHO", ""},
                                                {"ECHO", "a b", "c d"},
                                                {"PING"},
                                                {"PING"},
                                                {"GET", "x"},
                                                {"MSET", "a", "1", "b", "2"}};
  return commands;
}

TEST(RequestParserTest, PipelineAtOnce) {
  const ParseResult result = parse_all(mixed_pipeline());
  EXPECT_EQ(result.commands, mixed_pipeline_commands());
  EXPECT_EQ(result.last_status, Status::kNeedMore);
}

TEST(RequestParserTest, PipelineOneByteAtATime) {
  const ParseResult result = parse_bytewise(mixed_pipeline());
  EXPECT_EQ(result.commands, mixed_pipeline_commands());
  EXPECT_EQ(result.last_status, Status::kNeedMore);
}

TEST(RequestParserTest, PipelineEveryTwoWaySplit) {
  const std::string& input = mixed_pipeline();
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    const ParseResult result = parse_with_cuts(input, {cut});
    ASSERT_EQ(result.commands, mixed_pipeline_commands()) << "cut at " << cut;
    ASSERT_EQ(result.last_status, Status::kNeedMore) << "cut at " << cut;
  }
}

TEST(RequestParserTest, PipelineEveryThreeWaySplit) {
  const std::string input = multibulk({"SET", "k", "v"}) + "PING\r\n" + multibulk({"GET", "k"});
  const std::vector<Command> expected = {{"SET", "k", "v"}, {"PING"}, {"GET", "k"}};
  for (size_t a = 0; a <= input.size(); ++a) {
    for (size_t b = a; b <= input.size(); ++b) {
      ASSERT_EQ(parse_with_cuts(input, {a, b}).commands, expected) << a << "," << b;
    }
  }
}

TEST(RequestParserTest, LongPipelineAcrossReaderSlices) {
  // Many commands, more than the reader's 16 KB slice, with inline ones mixed in so that the
  // reader sometimes holds the start of an inline request.
  std::string input;
  std::vector<Command> expected;
  for (int i = 0; i < 3000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    if (i % 7 == 3) {
      input += "GET " + key + "\r\n";
      expected.push_back({"GET", key});
    } else {
      Command command = {"SET", key, std::string(static_cast<size_t>(i % 50), 'v')};
      input += multibulk(command);
      expected.push_back(command);
    }
  }
  EXPECT_EQ(parse_all(input).commands, expected);
  std::vector<size_t> cuts;
  for (size_t i = 997; i < input.size(); i += 997) cuts.push_back(i);
  EXPECT_EQ(parse_with_cuts(input, cuts).commands, expected);

  RequestParser parser;
  parser.feed(input);
  testing::ParseResult result;
  testing::drain(parser, &result);
  EXPECT_EQ(result.commands.size(), expected.size());
  // Every byte is handed to the reader at most once (inline requests that arrive in the
  // reader's slice are split in place, not handed back and forth).
  EXPECT_LE(parser.stats().bytes_copied_to_reader, input.size());
}

// ---- Large bulks -----------------------------------------------------------------------------

TEST(RequestParserTest, TenMegabyteBulkInOneKilobyteChunks) {
  constexpr size_t kValueSize = 10 * 1024 * 1024;
  std::string value(kValueSize, '\0');
  for (size_t i = 0; i < kValueSize; ++i) value[i] = static_cast<char>('a' + i % 26);
  const std::string input = multibulk({"SET", "big", value}) + multibulk({"GET", "big"});

  RequestParser parser;
  size_t commands = 0;
  for (size_t pos = 0; pos < input.size(); pos += 1024) {
    parser.feed(input.data() + pos, std::min<size_t>(1024, input.size() - pos));
    while (parser.next() == Status::kCommand) {
      ++commands;
      if (commands == 1) {
        ASSERT_EQ(parser.args().size(), 3u);
        EXPECT_EQ(parser.args()[2].size(), kValueSize);
        EXPECT_TRUE(parser.args()[2] == value);
      } else {
        EXPECT_EQ(parser.args().to_vector(), (Command{"GET", "big"}));
      }
    }
    ASSERT_FALSE(parser.has_error());
    // The unparsed bytes are what a query buffer would hold: the partial command.
    EXPECT_LE(parser.buffered_bytes(), value.size() + 64);
  }
  EXPECT_EQ(commands, 2u);
  const RequestParser::Stats& stats = parser.stats();
  EXPECT_EQ(stats.bytes_fed, input.size());
  // Linear work: every byte handed to the reader exactly once; the staging buffer never holds
  // more than one read; the reader's buffer is sized for the bulk once instead of growing in
  // 1 MB steps (which would be ~20 growths and ~10 copies of megabytes each).
  EXPECT_EQ(stats.bytes_copied_to_reader, input.size());
  EXPECT_LE(stats.peak_pending_bytes, 2 * 1024u);
  EXPECT_LE(stats.reader_buffer_growths, 4u);
}

TEST(RequestParserTest, TenMegabyteBulkAtOnce) {
  const std::string value(10 * 1024 * 1024, 'x');
  const std::string input = multibulk({"SET", "big", value});
  RequestParser parser;
  parser.feed(input);
  ASSERT_EQ(parser.next(), Status::kCommand);
  EXPECT_TRUE(parser.args()[2] == value);
  EXPECT_EQ(parser.stats().bytes_copied_to_reader, input.size());
  EXPECT_LE(parser.stats().reader_buffer_growths, 3u);
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(RequestParserTest, SmallCommandsAfterBigOneStillWork) {
  const std::string value(200 * 1024, 'y');
  const std::string input = multibulk({"SET", "a", value}) + "PING\r\n" + multibulk({"GET", "a"});
  const std::vector<Command> expected = {{"SET", "a", value}, {"PING"}, {"GET", "a"}};
  std::vector<size_t> cuts;
  for (size_t i = 4093; i < input.size(); i += 4093) cuts.push_back(i);
  EXPECT_EQ(parse_with_cuts(input, cuts).commands, expected);
}

TEST(RequestParserTest, ResetStartsOver) {
  RequestParser parser;
  parser.feed("*1\r\n$-5\r\n");
  EXPECT_EQ(parser.next(), Status::kError);
  parser.reset();
  EXPECT_FALSE(parser.has_error());
  parser.feed("PING\r\n");
  ASSERT_EQ(parser.next(), Status::kCommand);
  EXPECT_EQ(parser.args()[0], "PING");
}

}  // namespace
}  // namespace protocol
