// Helpers shared by the protocol tests: run a RequestParser over an input fed in chunks.
#pragma once

#include <string>
#include <vector>

#include "protocol/request_parser.h"

namespace protocol::testing {

using Command = std::vector<std::string>;

struct ParseResult {
  std::vector<Command> commands;
  RequestParser::Status last_status = RequestParser::Status::kNeedMore;
  std::string error;
  RequestParser::ErrorKind error_kind = RequestParser::ErrorKind::kNone;

  bool operator==(const ParseResult& other) const {
    return commands == other.commands && last_status == other.last_status && error == other.error &&
           error_kind == other.error_kind;
  }
};

// Drains every complete command from `parser` into `result`.
inline void drain(RequestParser& parser, ParseResult* result) {
  for (;;) {
    const RequestParser::Status status = parser.next();
    result->last_status = status;
    if (status != RequestParser::Status::kCommand) break;
    result->commands.push_back(parser.args().to_vector());
  }
  result->error = parser.error();
  result->error_kind = parser.error_kind();
}

// Feeds `input` in pieces cut at `cuts` (increasing offsets), draining after each piece.
inline ParseResult parse_with_cuts(const std::string& input, const std::vector<size_t>& cuts,
                                   const ParserLimits& limits = ParserLimits()) {
  RequestParser parser(limits);
  ParseResult result;
  size_t start = 0;
  for (size_t cut : cuts) {
    parser.feed(input.data() + start, cut - start);
    drain(parser, &result);
    start = cut;
  }
  parser.feed(input.data() + start, input.size() - start);
  drain(parser, &result);
  return result;
}

inline ParseResult parse_all(const std::string& input,
                             const ParserLimits& limits = ParserLimits()) {
  return parse_with_cuts(input, {}, limits);
}

inline ParseResult parse_bytewise(const std::string& input,
                                  const ParserLimits& limits = ParserLimits()) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return parse_with_cuts(input, cuts, limits);
}

// Encodes a command as a RESP multibulk request.
inline std::string multibulk(const Command& args) {
  std::string out;
  out.append("*").append(std::to_string(args.size())).append("\r\n");
  for (const std::string& arg : args) {
    out.append("$").append(std::to_string(arg.size())).append("\r\n").append(arg).append("\r\n");
  }
  return out;
}

}  // namespace protocol::testing
