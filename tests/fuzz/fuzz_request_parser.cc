// tests/fuzz/fuzz_request_parser.cc — libFuzzer target for protocol::RequestParser: the input is
// fed in chunks whose sizes come from its first bytes (so split headers, bulks and CRLFs are
// covered), with small limits so that the limit paths are reached; every command's arguments
// are read back and the parser's invariants checked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/request_parser.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  protocol::ParserLimits limits;
  limits.max_bulk_len = 1 << 16;
  limits.max_inline_len = 1024;
  limits.max_query_buffer = 1 << 18;
  protocol::RequestParser parser(limits);
  parser.set_auth_required((data[0] & 0x80) != 0);
  size_t chunk = 1 + (data[1] % 64);
  const char* p = reinterpret_cast<const char*>(data) + 2;
  size_t left = size - 2;
  size_t commands = 0;
  while (true) {
    if (left > 0) {
      size_t n = std::min(chunk, left);
      parser.feed(p, n);
      p += n;
      left -= n;
    }
    while (true) {
      protocol::RequestParser::Status st = parser.next();
      if (st == protocol::RequestParser::Status::kCommand) {
        protocol::CommandArgs args = parser.args();
        check(!args.empty());
        size_t total = 0;
        for (size_t i = 0; i < args.size(); ++i) total += args[i].size();
        check(total <= size);
        ++commands;
        continue;
      }
      if (st == protocol::RequestParser::Status::kError) {
        check(parser.has_error());
        check(!parser.error().empty() ||
              parser.error_kind() == protocol::RequestParser::ErrorKind::kQueryBufferLimit);
      }
      break;
    }
    if (parser.has_error() || left == 0) break;
  }
  check(commands <= size);
  return 0;
}
