// RequestParser: multibulk requests go through hiredis's redisReader with object functions
// that append each argument to the parser's argument buffer; inline requests are split here
// with sdssplitargs's rules.
//
// How bytes flow (and why nothing is copied quadratically):
// - feed() appends to `pending_`. next() hands the reader at most kReaderSlice bytes at a time,
//   so the reader's buffer stays small. hiredis 0.14 compacts its buffer (memmove of the unread
//   rest) after every reply once 1 KB is consumed; with small slices that memmove is bounded.
// - hiredis keeps a bulk in its buffer until the whole bulk has arrived (processBulkItem only
//   advances past the "$N\r\n" line then). Its buffer grows with sdsMakeRoomFor, which past
//   1 MB grows by 1 MB steps: a 100 MB bulk arriving in small reads would be reallocated ~100
//   times. So once a bulk's header is complete we check it as Redis does and, for a big bulk,
//   reserve the whole remainder in the reader's buffer at once (Redis pre-sizes its query buffer
//   for PROTO_MBULK_BIG_ARG the same way), and hand the reader the bulk's bytes in one piece.
// - While a bulk is incomplete, each redisReaderGetReply only re-reads its short header line.
//
// What the reader checks, and what is checked here. Debian's hiredis 0.14.1 reader parses
// lengths with a strict string2ll and range checks ("Bad multi-bulk length", "Multi-bulk length
// out of range", "Bad bulk string length", "Bulk string length out of range"), but it has no
// maxbulklen / maxelements settings (hiredis 1.x's maxelements would not cover bulks anyway),
// it treats "*-10" as an error where Redis skips it as an empty request, and any error makes it
// drop its buffer. So:
// - the "*N" line of each request is checked here, with Redis's rules, before the reader sees
//   it; N <= 0 requests are consumed here and never reach the reader;
// - each "$N" line that arrives before its data is checked here against proto-max-bulk-len;
// - the object functions reject any element that is not a bulk string ('*', ':', '+', '-',
//   "$-1"), and the reader's own errors are mapped to Redis's text.
#include "protocol/request_parser.h"

extern "C" {  // hiredis 0.14's sds.h has no C++ guards (and hiredis.h includes it)
#include <hiredis/sds.h>
}
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "protocol/number_format.h"

#if HIREDIS_MAJOR != 0
// hiredis 1.x changed the reader: a growable task array (r->task) instead of r->rstack,
// createArray(size_t), RESP3 types with createDouble/createBool (which must be rejected here),
// maxelements/maxbulklen, and strict number parsing. Port Reader before building against it.
#error "protocol/request_parser.cc is written against hiredis 0.14's redisReader"
#endif

namespace protocol {
namespace {

constexpr size_t kReaderSlice = 16 * 1024;        // bytes handed to the reader at a time
constexpr size_t kReaderMaxBuf = 64 * 1024;       // reader frees an empty buffer larger than this
constexpr long long kBigArg = 32 * 1024;          // PROTO_MBULK_BIG_ARG
constexpr size_t kMaxRetainedArgBytes = 1 << 20;  // argument buffer kept between commands
constexpr size_t kMaxRetainedPending = 1 << 20;
constexpr long long kUnauthMaxCount = 10;
constexpr long long kUnauthMaxBulk = 2000;

char dummy_object;  // non-null object handed back to hiredis; we build no reply objects

char type_char(int type) {
  switch (type) {
    case REDIS_REPLY_STRING:
      return '$';
    case REDIS_REPLY_ARRAY:
      return '*';
    case REDIS_REPLY_INTEGER:
      return ':';
    case REDIS_REPLY_STATUS:
      return '+';
    case REDIS_REPLY_ERROR:
      return '-';
    default:
      return '?';
  }
}

// Redis formats this with "%c" into a C string and replaces CR/LF by spaces; a NUL byte
// therefore ends the message early.
std::string expected_dollar_error(char got) {
  std::string msg = "Protocol error: expected '$', got '";
  if (got == '\0') return msg;
  msg.push_back(got == '\r' || got == '\n' ? ' ' : got);
  msg.push_back('\'');
  return msg;
}

// Decodes hiredis 0.14's chrtos() text from "Protocol error, got "X" as reply type byte".
bool decode_type_byte_error(std::string_view err, char* byte) {
  constexpr std::string_view kPrefix = "Protocol error, got \"";
  constexpr std::string_view kSuffix = "\" as reply type byte";
  if (err.size() < kPrefix.size() + kSuffix.size() || err.substr(0, kPrefix.size()) != kPrefix ||
      err.substr(err.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  std::string_view inner = err.substr(kPrefix.size(), err.size() - kPrefix.size() - kSuffix.size());
  if (inner.size() == 1) {
    *byte = inner[0];
    return true;
  }
  if (inner.size() == 2 && inner[0] == '\\') {
    switch (inner[1]) {
      case 'n':
        *byte = '\n';
        return true;
      case 'r':
        *byte = '\r';
        return true;
      case 't':
        *byte = '\t';
        return true;
      case 'a':
        *byte = '\a';
        return true;
      case 'b':
        *byte = '\b';
        return true;
      default:
        *byte = inner[1];
        return true;  // \\ and \"
    }
  }
  if (inner.size() == 4 && inner[0] == '\\' && inner[1] == 'x') {
    *byte = static_cast<char>(std::stoi(std::string(inner.substr(2)), nullptr, 16));
    return true;
  }
  return false;
}

// Maps an error of the reader (for an element: the "*N" line was checked before) to Redis's.
std::string map_reader_error(std::string_view err) {
  char byte = 0;
  if (decode_type_byte_error(err, &byte)) return expected_dollar_error(byte);
  if (err == "Bad bulk string length" || err == "Bulk string length out of range") {
    return "Protocol error: invalid bulk length";
  }
  if (err == "Bad multi-bulk length" || err == "Multi-bulk length out of range") {
    return expected_dollar_error('*');  // a nested "*N" element
  }
  if (err == "Bad integer value") return expected_dollar_error(':');
  return "Protocol error: " + std::string(err);
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_c_space(char c) {  // isspace() in the C locale
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Splits an inline line as Redis's sdssplitargs does, appending each argument to `data` and
// `spans`. The line is read as a C string (Redis copies it into an sds and splits that), so it
// ends at its first NUL. Returns false on unbalanced quotes, or a closing quote not followed by
// a space.
bool split_inline_args(const char* line, size_t len, std::string* data,
                       std::vector<ArgSpan>* spans) {
  len = strnlen(line, len);
  size_t i = 0;
  auto at = [&](size_t k) { return k < len ? line[k] : '\0'; };
  for (;;) {
    while (at(i) != '\0' && is_c_space(at(i))) ++i;
    if (at(i) == '\0') return true;
    const size_t start = data->size();
    bool in_dq = false;
    bool in_sq = false;
    bool done = false;
    while (!done) {
      const char c = at(i);
      if (in_dq) {
        if (c == '\\' && at(i + 1) == 'x' && is_hex_digit(at(i + 2)) && is_hex_digit(at(i + 3))) {
          data->push_back(static_cast<char>(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          switch (at(i)) {
            case 'n':
              data->push_back('\n');
              break;
            case 'r':
              data->push_back('\r');
              break;
            case 't':
              data->push_back('\t');
              break;
            case 'b':
              data->push_back('\b');
              break;
            case 'a':
              data->push_back('\a');
              break;
            default:
              data->push_back(at(i));
              break;
          }
        } else if (c == '"') {
          if (at(i + 1) != '\0' && !is_c_space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          data->push_back(c);
        }
      } else if (in_sq) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          data->push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !is_c_space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          data->push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_dq = true;
            break;
          case '\'':
            in_sq = true;
            break;
          default:
            data->push_back(c);
            break;
        }
      }
      if (at(i) != '\0') ++i;
    }
    spans->push_back(ArgSpan{start, data->size() - start});
  }
}

}  // namespace

std::vector<std::string> CommandArgs::to_vector() const {
  std::vector<std::string> out;
  out.reserve(count_);
  for (size_t i = 0; i < count_; ++i) out.emplace_back((*this)[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader: one hiredis redisReader plus the state of the multibulk command it is reading.

class RequestParser::Reader {
 public:
  explicit Reader(RequestParser* parser) : parser_(parser) {
    static redisReplyObjectFunctions functions = make_functions();
    r_ = redisReaderCreateWithFunctions(&functions);
    if (r_ == nullptr) throw std::bad_alloc();
    r_->privdata = this;
    r_->maxbuf = kReaderMaxBuf;
  }
  ~Reader() { redisReaderFree(r_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  size_t unread() const { return r_->buf == nullptr ? 0 : r_->len - r_->pos; }
  const char* unread_data() const { return r_->buf + r_->pos; }
  bool idle() const { return r_->ridx == -1; }

  void feed(const char* data, size_t n, Stats* stats) {
    const size_t capacity_before = r_->buf == nullptr ? 0 : sdsalloc(r_->buf);
    if (redisReaderFeed(r_, data, n) != REDIS_OK) throw std::bad_alloc();
    if (sdsalloc(r_->buf) > capacity_before) ++stats->reader_buffer_growths;
    stats->bytes_copied_to_reader += n;
  }

  // Marks `n` unread bytes as consumed by the caller (an inline or empty request). Only between
  // requests, when the reader is idle.
  void consume(size_t n) {
    r_->pos += n;
    if (r_->pos == r_->len) {
      sdsclear(r_->buf);
      r_->pos = 0;
      r_->len = 0;
    }
  }

  // Runs the reader. Returns kCommand when a whole request was read (possibly empty),
  // kNeedMore when it needs bytes, kError with `error` set otherwise.
  Status read(std::string* error) {
    if (line_scanned_ > 0) {
      // Waiting for an element's header line: look only at the new bytes, so that a long line
      // arriving in small pieces costs linear time (the reader would rescan it from the start).
      const char* p = unread_data();
      const size_t avail = unread();
      if (std::memchr(p + line_scanned_, '\r', avail - line_scanned_) == nullptr) {
        line_scanned_ = avail;
        if (avail + 1 > parser_->limits_.max_inline_len) {
          *error = "Protocol error: too big bulk count string";
          return Status::kError;
        }
        return Status::kNeedMore;
      }
      line_scanned_ = 0;
    }
    void* reply = nullptr;
    const int rc = redisReaderGetReply(r_, &reply);
    if (!error_.empty()) {
      *error = error_;
      return Status::kError;
    }
    if (rc != REDIS_OK) {
      *error = map_reader_error(r_->errstr);
      return Status::kError;
    }
    if (reply != nullptr) {
      count_checked_ = false;
      bulk_need_ = 0;
      return Status::kCommand;
    }
    if (!check_partial_header()) {
      *error = error_;
      return Status::kError;
    }
    return Status::kNeedMore;
  }

  bool count_checked() const { return count_checked_; }
  void set_count_checked() { count_checked_ = true; }

  // Bytes the reader still needs to finish the bulk it is reading (0 if unknown).
  size_t bulk_need() const { return bulk_need_; }
  void consumed_bulk_bytes(size_t n) { bulk_need_ = n >= bulk_need_ ? 0 : bulk_need_ - n; }

 private:
  static redisReplyObjectFunctions make_functions() {
    redisReplyObjectFunctions fns{};
    fns.createString = &create_string;
    fns.createArray = &create_array;
    fns.createInteger = &create_integer;
    fns.createNil = &create_nil;
    fns.freeObject = &free_object;
    return fns;
  }

  static Reader* self(const redisReadTask* task) { return static_cast<Reader*>(task->privdata); }

  void* set_error(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return nullptr;  // hiredis then stops with an "Out of memory" error; error_ wins
  }

  // The "*N" line was checked by the parser before the reader saw it.
  void* accept_count(int count) {
    if (!count_checked_ || count <= 0) {  // cannot happen: N was checked to be in 1..INT_MAX
      return set_error("Protocol error: invalid multibulk length");
    }
    parser_->arg_spans_.reserve(static_cast<size_t>(std::min(count, 1024)));
    return &dummy_object;
  }

  // Validates a "$N" header line (without '$'); returns an error message or nullptr.
  const char* check_bulk_len(std::string_view line, long long* len) const {
    if (!string2ll(line, len) || *len < 0 || *len > parser_->limits_.max_bulk_len) {
      return "Protocol error: invalid bulk length";
    }
    if (*len > kUnauthMaxBulk && parser_->auth_required_) {
      return "Protocol error: unauthenticated bulk length";
    }
    return nullptr;
  }

  static void* create_string(const redisReadTask* task, char* str, size_t len) {
    Reader* reader = self(task);
    if (task->parent == nullptr || task->type != REDIS_REPLY_STRING) {
      return reader->set_error(expected_dollar_error(type_char(task->type)));
    }
    // The header line is still unconsumed: it runs from pos to the CRLF before the data.
    const char* line = reader->r_->buf + reader->r_->pos;
    long long checked = 0;
    if (const char* err = reader->check_bulk_len(
            std::string_view(line, static_cast<size_t>(str - 2 - line)), &checked)) {
      return reader->set_error(err);
    }
    RequestParser* parser = reader->parser_;
    parser->arg_spans_.push_back(ArgSpan{parser->arg_data_.size(), len});
    parser->arg_data_.append(str, len);
    return &dummy_object;
  }

  static void* create_array(const redisReadTask* task, int elements) {
    Reader* reader = self(task);
    if (task->parent != nullptr) return reader->set_error(expected_dollar_error('*'));
    return reader->accept_count(elements);
  }

  static void* create_integer(const redisReadTask* task, long long value) {
    return self(task)->set_error(expected_dollar_error(':'));
  }

  // hiredis reads "*-1", "$-1", any negative or non-numeric length as nil.
  static void* create_nil(const redisReadTask* task) {
    Reader* reader = self(task);
    if (task->type == REDIS_REPLY_ARRAY) {
      if (task->parent != nullptr) return reader->set_error(expected_dollar_error('*'));
      return reader->accept_count(0);
    }
    if (task->type == REDIS_REPLY_STRING) {
      return reader->set_error("Protocol error: invalid bulk length");
    }
    return reader->set_error(expected_dollar_error(type_char(task->type)));
  }

  static void free_object(void*) {}

  // After an incomplete read: applies Redis's checks to a header line that is complete (or
  // too long) before its bulk data arrives, and pre-sizes the buffer for a big bulk.
  bool check_partial_header() {
    if (r_->ridx < 0) return true;
    const redisReadTask& task = r_->rstack[r_->ridx];
    const char* p = unread_data();
    const size_t avail = unread();
    const size_t max_line = parser_->limits_.max_inline_len;
    const char* cr = static_cast<const char*>(std::memchr(p, '\r', avail));
    if (task.type < 0) return true;  // waiting for an element's type byte
    if (cr == nullptr) {
      line_scanned_ = avail;
      if (avail + 1 > max_line) {
        set_error("Protocol error: too big bulk count string");
        return false;
      }
      return true;
    }
    // A non-'$' element is reported by the callbacks once hiredis has its line.
    if (task.type != REDIS_REPLY_STRING || cr + 1 >= p + avail) return true;
    long long len = 0;
    if (const char* err = check_bulk_len(std::string_view(p, static_cast<size_t>(cr - p)), &len)) {
      set_error(err);
      return false;
    }
    const size_t total = static_cast<size_t>(cr - p) + 2 + static_cast<size_t>(len) + 2;
    bulk_need_ = total > avail ? total - avail : 0;
    if (len >= kBigArg && sdsavail(r_->buf) < bulk_need_) {
      const size_t capacity_before = sdsalloc(r_->buf);
      sds grown = sdsMakeRoomFor(r_->buf, bulk_need_);
      if (grown == nullptr) throw std::bad_alloc();
      r_->buf = grown;
      if (sdsalloc(r_->buf) > capacity_before) ++parser_->stats_.reader_buffer_growths;
    }
    return true;
  }

  RequestParser* parser_;
  redisReader* r_ = nullptr;
  bool count_checked_ = false;  // the "*N" line of the current request has been checked
  size_t line_scanned_ = 0;     // unread bytes known to hold no '\r' (an element header line)
  size_t bulk_need_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------------------------------------

RequestParser::RequestParser(const ParserLimits& limits)
    : limits_(limits), reader_(std::make_unique<Reader>(this)) {}

RequestParser::~RequestParser() = default;

void RequestParser::reset() {
  reader_ = std::make_unique<Reader>(this);
  mode_ = Mode::kIdle;
  last_inline_ = false;
  count_scanned_ = 0;
  pending_.clear();
  pending_.shrink_to_fit();
  pending_pos_ = 0;
  inline_scanned_ = 0;
  arg_data_.clear();
  arg_spans_.clear();
  error_kind_ = ErrorKind::kNone;
  error_.clear();
}

size_t RequestParser::buffered_bytes() const {
  return (pending_.size() - pending_pos_) + reader_->unread();
}

void RequestParser::feed(const char* data, size_t len) {
  if (has_error() || len == 0) return;
  stats_.bytes_fed += len;
  pending_.append(data, len);
  stats_.peak_pending_bytes = std::max(stats_.peak_pending_bytes, pending_.size());
  if (buffered_bytes() > limits_.max_query_buffer) {
    fail("closing client that reached max query buffer length", ErrorKind::kQueryBufferLimit);
  }
}

RequestParser::Status RequestParser::fail(std::string message, ErrorKind kind) {
  if (!has_error()) {
    error_kind_ = kind;
    error_ = std::move(message);
  }
  return Status::kError;
}

void RequestParser::begin_command() {
  arg_spans_.clear();
  if (arg_data_.capacity() > kMaxRetainedArgBytes) {
    std::string().swap(arg_data_);
  } else {
    arg_data_.clear();
  }
  if (arg_spans_.capacity() > 1024) std::vector<ArgSpan>().swap(arg_spans_);
}

void RequestParser::compact_pending() {
  if (pending_pos_ == pending_.size()) {
    pending_pos_ = 0;
    if (pending_.capacity() > kMaxRetainedPending) {
      std::string().swap(pending_);
    } else {
      pending_.clear();
    }
  } else if (pending_pos_ > kReaderSlice && pending_pos_ * 2 > pending_.size()) {
    // Each byte moves at most once per halving: amortized linear.
    pending_.erase(0, pending_pos_);
    pending_pos_ = 0;
  }
}

void RequestParser::move_to_reader(size_t n) {
  reader_->feed(pending_.data() + pending_pos_, n, &stats_);
  reader_->consumed_bulk_bytes(n);
  pending_pos_ += n;
  compact_pending();
}

RequestParser::Status RequestParser::next() {
  if (has_error()) return Status::kError;
  for (;;) {
    if (mode_ == Mode::kIdle) {
      begin_command();  // the previous command's arguments are released here
      if (reader_->unread() > 0) {
        mode_ = reader_->unread_data()[0] == '*' ? Mode::kMultibulk : Mode::kInline;
      } else if (pending_pos_ < pending_.size()) {
        mode_ = pending_[pending_pos_] == '*' ? Mode::kMultibulk : Mode::kInline;
      } else {
        return Status::kNeedMore;
      }
    }
    const Status status = mode_ == Mode::kMultibulk ? step_multibulk() : step_inline();
    if (status != Status::kCommand) return status;
    last_inline_ = mode_ == Mode::kInline;
    mode_ = Mode::kIdle;
    if (!arg_spans_.empty()) return Status::kCommand;
    // An empty request: skipped, as Redis does.
  }
}

bool RequestParser::top_up_reader() {
  const size_t avail = pending_.size() - pending_pos_;
  if (avail == 0) return false;
  move_to_reader(std::min(avail, std::max(kReaderSlice, reader_->bulk_need())));
  return true;
}

RequestParser::Status RequestParser::step_multibulk() {
  for (;;) {
    if (!reader_->count_checked()) {
      // The "*N" line, as Redis's processMultibulkBuffer reads it: up to the first '\r', which
      // must be followed by one more byte.
      const char* p = reader_->unread_data();
      const size_t avail = reader_->unread();
      // Only bytes not searched before (the reader's buffer does not move until it reads).
      const size_t from = std::max<size_t>(1, count_scanned_);
      const char* cr = avail > from
                           ? static_cast<const char*>(std::memchr(p + from, '\r', avail - from))
                           : nullptr;
      if (cr == nullptr || cr + 1 == p + avail) {
        if (cr == nullptr) count_scanned_ = avail;
        if (cr == nullptr && avail > limits_.max_inline_len) {
          return fail("Protocol error: too big mbulk count string");
        }
        if (!top_up_reader()) return Status::kNeedMore;
        continue;
      }
      long long count = 0;
      if (!string2ll(std::string_view(p + 1, static_cast<size_t>(cr - p - 1)), &count) ||
          count > limits_.max_multibulk_len || count > INT_MAX) {
        return fail("Protocol error: invalid multibulk length");
      }
      count_scanned_ = 0;
      if (count > kUnauthMaxCount && auth_required_) {
        return fail("Protocol error: unauthenticated multibulk length");
      }
      if (count <= 0) {  // an empty request: Redis skips it
        reader_->consume(static_cast<size_t>(cr - p) + 2);
        return Status::kCommand;
      }
      reader_->set_count_checked();
    }
    std::string error;
    const Status status = reader_->read(&error);
    if (status == Status::kError) return fail(std::move(error));
    if (status == Status::kCommand) return status;
    if (!top_up_reader()) return Status::kNeedMore;
  }
}

RequestParser::Status RequestParser::step_inline() {
  if (reader_->unread() > 0) {
    // The reader holds the start of this inline request (it came in one slice with the
    // previous multibulk request). Split it in place if the whole line is there.
    const char* base = reader_->unread_data();
    const size_t avail = reader_->unread();
    const char* newline = static_cast<const char*>(std::memchr(base, '\n', avail));
    if (newline != nullptr) {
      const size_t consumed = static_cast<size_t>(newline - base) + 1;
      if (!split_inline_line(base, consumed - 1)) {
        return fail("Protocol error: unbalanced quotes in request");
      }
      reader_->consume(consumed);
      return Status::kCommand;
    }
    // A partial line: give it back to the staging buffer, in front of the bytes there.
    std::string rest(base, avail);
    rest.append(pending_, pending_pos_, std::string::npos);
    pending_.swap(rest);
    pending_pos_ = 0;
    inline_scanned_ = 0;
    reader_->consume(avail);
  }
  const char* base = pending_.data() + pending_pos_;
  const size_t avail = pending_.size() - pending_pos_;
  const char* newline =
      static_cast<const char*>(std::memchr(base + inline_scanned_, '\n', avail - inline_scanned_));
  if (newline == nullptr) {
    inline_scanned_ = avail;
    if (avail > limits_.max_inline_len) return fail("Protocol error: too big inline request");
    return Status::kNeedMore;
  }
  inline_scanned_ = 0;
  const size_t consumed = static_cast<size_t>(newline - base) + 1;
  if (!split_inline_line(base, consumed - 1)) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  pending_pos_ += consumed;
  compact_pending();
  return Status::kCommand;
}

// `line` excludes its '\n'; a '\r' right before it belongs to the line ending.
bool RequestParser::split_inline_line(const char* line, size_t len) {
  if (len > 0 && line[len - 1] == '\r') --len;
  return split_inline_args(line, len, &arg_data_, &arg_spans_);
}

}  // namespace protocol
