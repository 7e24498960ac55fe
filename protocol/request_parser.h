// Incremental parser of Redis client requests (RESP multibulk and inline commands).
//
// A RequestParser belongs to one connection and is single-threaded: all calls on one instance
// must come from one thread at a time (typically the worker owning the connection). The parser
// copies what feed() gives it; the caller keeps ownership of its read buffers.
//
// Usage:
//   parser.feed(data, n);
//   while (parser.next() == RequestParser::Status::kCommand) run(parser.args());
//   if (parser.has_error()) { reply "-ERR " + parser.error() if error_kind() is kProtocol;
//                             then close the connection, as Redis does. }
//
// Semantics follow Redis 7.0's processMultibulkBuffer / processInlineBuffer: empty commands
// ("*0", "*-1", blank inline lines) are skipped, errors carry Redis's exact text (without the
// leading "-ERR "), and after an error the parser yields nothing more.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace protocol {

// One argument of a command: a byte range in the command's argument buffer.
struct ArgSpan {
  size_t offset;
  size_t length;
};

// A read-only view of the current command's arguments (binary safe). Does not own its data:
// valid until the next call to RequestParser::next() or reset(), or the parser's destruction.
// feed() does not invalidate it.
class CommandArgs {
 public:
  CommandArgs() = default;
  CommandArgs(const char* data, const ArgSpan* spans, size_t count)
      : data_(data), spans_(spans), count_(count) {}

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view operator[](size_t i) const {
    return std::string_view(data_ + spans_[i].offset, spans_[i].length);
  }
  // Copies the arguments out (for tests and for callers that must keep them).
  std::vector<std::string> to_vector() const;

 private:
  const char* data_ = nullptr;
  const ArgSpan* spans_ = nullptr;
  size_t count_ = 0;
};

// Limits, with Redis 7.0's defaults.
struct ParserLimits {
  // proto-max-bulk-len: a longer bulk is "Protocol error: invalid bulk length".
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Redis 7.0 accepts multibulk counts up to INT_MAX ("*3000000000" is an error, "*20000000"
  // is not). Larger: "Protocol error: invalid multibulk length".
  int64_t max_multibulk_len = INT_MAX;
  // PROTO_INLINE_MAX_SIZE: an inline line, or a "*N" / "$N" header line, without its end
  // after this many bytes is a protocol error ("too big inline request" / "too big mbulk count
  // string" / "too big bulk count string").
  size_t max_inline_len = 64 * 1024;
  // client-query-buffer-limit: more unparsed bytes than this puts the parser in the error
  // state with ErrorKind::kQueryBufferLimit (Redis closes such a client without a reply).
  size_t max_query_buffer = 1024ULL * 1024 * 1024;
};

class RequestParser {
 public:
  enum class Status {
    kCommand,   // args() holds a complete, non-empty command
    kNeedMore,  // everything fed so far is consumed or incomplete: feed more bytes
    kError,     // see error(); the parser stays in this state
  };
  enum class ErrorKind {
    kNone,
    kProtocol,          // reply "-ERR " + error(), then close
    kQueryBufferLimit,  // close without replying (Redis logs it and frees the client)
  };
  // Internal bookkeeping, exposed for tests and INFO-like reporting.
  struct Stats {
    uint64_t bytes_fed = 0;               // total bytes given to feed()
    uint64_t bytes_copied_to_reader = 0;  // total bytes handed to the hiredis reader
    uint64_t reader_buffer_growths = 0;   // times the reader's buffer capacity grew
    size_t peak_pending_bytes = 0;        // largest staging buffer seen
  };

  explicit RequestParser(const ParserLimits& limits = ParserLimits());
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Appends bytes received from the client. Never parses; may set the query-buffer-limit
  // error. Bytes fed after an error are dropped.
  void feed(const char* data, size_t len);
  void feed(std::string_view data) { feed(data.data(), data.size()); }

  // Parses the next command from the bytes fed so far. On kCommand, args() holds it until the
  // next call. Cost is linear in the bytes consumed.
  Status next();

  CommandArgs args() const {
    return CommandArgs(arg_data_.data(), arg_spans_.data(), arg_spans_.size());
  }
  // True if the last command returned by next() was an inline (telnet-style) command.
  bool last_was_inline() const { return last_inline_; }

  bool has_error() const { return error_kind_ != ErrorKind::kNone; }
  ErrorKind error_kind() const { return error_kind_; }
  // The error message without "-ERR ", e.g. "Protocol error: invalid bulk length".
  const std::string& error() const { return error_; }

  // Unparsed bytes held (Redis's query buffer length, for client-query-buffer-limit and
  // CLIENT LIST qbuf).
  size_t buffered_bytes() const;

  // Redis 7.0 rejects multibulk counts > 10 and bulks > 2000 bytes from clients that still
  // must AUTH ("Protocol error: unauthenticated multibulk length" / "... bulk length").
  void set_auth_required(bool required) { auth_required_ = required; }
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  const Stats& stats() const { return stats_; }

  // Drops all buffered input and any error, as for a fresh connection.
  void reset();

 private:
  class Reader;  // wraps hiredis's redisReader; defined in request_parser.cc
  enum class Mode { kIdle, kMultibulk, kInline };

  Status step_multibulk();
  bool top_up_reader();
  Status step_inline();
  bool split_inline_line(const char* line, size_t len);
  Status fail(std::string message, ErrorKind kind = ErrorKind::kProtocol);
  void begin_command();
  void compact_pending();
  void move_to_reader(size_t n);

  ParserLimits limits_;
  bool auth_required_ = false;
  Mode mode_ = Mode::kIdle;
  bool last_inline_ = false;

  // Bytes fed but not yet handed to the reader or parsed inline.
  std::string pending_;
  size_t pending_pos_ = 0;
  size_t inline_scanned_ = 0;  // bytes of the pending inline line already searched for '\n'
  size_t count_scanned_ = 0;   // bytes of the reader's "*N" line already searched for '\r'

  std::unique_ptr<Reader> reader_;

  // The current command: arguments appended into one buffer.
  std::string arg_data_;
  std::vector<ArgSpan> arg_spans_;

  ErrorKind error_kind_ = ErrorKind::kNone;
  std::string error_;
  Stats stats_;
};

}  // namespace protocol
