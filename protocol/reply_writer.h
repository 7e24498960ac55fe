// Writes RESP2 or RESP3 replies into an output buffer, as Redis 7.0's addReply* functions do.
//
// A ReplyWriter belongs to one connection (or one transaction's reply batch) and is not
// thread-safe. It owns its buffer; the caller drains it with take() / view() + clear().
// Aggregates are written as a header followed by their elements: the caller writes exactly
// the announced number of elements (map_len(n) announces n key/value pairs). Each method
// states its RESP2 and RESP3 encodings.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace protocol {

class ReplyWriter {
 public:
  // `resp` is 2 or 3 (HELLO switches it).
  explicit ReplyWriter(int resp = 2) : resp_(resp) {}

  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }

  // "+<text>\r\n". CR and LF in `text` become spaces (they would break the protocol).
  void add_simple_string(std::string_view text);
  void add_ok() { out_.append("+OK\r\n"); }
  // "-<message>\r\n". `message` starts with the error code: "ERR ...", "WRONGTYPE ...".
  // CR and LF become spaces, as in Redis's addReplyErrorFormat.
  void add_error(std::string_view message);
  // ":<value>\r\n".
  void add_integer(long long value);
  // "$<len>\r\n<bytes>\r\n" (binary safe).
  void add_bulk(std::string_view bytes);
  // A bulk string holding the decimal text of `value` (Redis's addReplyBulkLongLong).
  void add_bulk_integer(long long value);
  // RESP2 "$-1\r\n", RESP3 "_\r\n".
  void add_null();
  // RESP2 "*-1\r\n", RESP3 "_\r\n".
  void add_null_array();
  // "*<n>\r\n".
  void add_array_len(size_t n);
  // RESP3 "%<n>\r\n", RESP2 "*<2n>\r\n" (a flat key, value, ... array).
  void add_map_len(size_t n);
  // RESP3 "~<n>\r\n", RESP2 "*<n>\r\n".
  void add_set_len(size_t n);
  // RESP3 ">N\r\n" (pub/sub messages); RESP2 "*N\r\n", as Redis sends them there.
  void add_push_len(size_t n);
  // "*0\r\n".
  void add_empty_array() { out_.append("*0\r\n"); }
  // RESP3 ",<text>\r\n", RESP2 a bulk string of <text>, where <text> is "inf", "-inf" or
  // printf("%.17g") as in Redis 7.0 (1.1 -> "1.1000000000000001").
  void add_double(double value);
  // RESP3 "#t\r\n" / "#f\r\n", RESP2 ":1\r\n" / ":0\r\n".
  void add_bool(bool value);
  // RESP3 "=<len+4>\r\n<ext>:<text>\r\n" (ext is 3 chars, default "txt"), RESP2 a bulk of
  // `text`.
  void add_verbatim(std::string_view text, std::string_view ext = "txt");
  // RESP3 "(<digits>\r\n", RESP2 a bulk string of `digits`.
  void add_big_number(std::string_view digits);
  // Appends already-encoded protocol bytes as they are.
  void add_raw(std::string_view bytes) { out_.append(bytes); }

  // Deferred aggregate length (Redis's addReplyDeferredLen): begin_deferred_len() marks the
  // spot; after writing the elements, set_deferred_*_len() inserts the header there. Deferred
  // headers must be completed innermost first (last begun, first set).
  size_t begin_deferred_len() const { return out_.size(); }
  void set_deferred_array_len(size_t mark, size_t n);
  void set_deferred_map_len(size_t mark, size_t n);
  void set_deferred_set_len(size_t mark, size_t n);

  size_t size() const { return out_.size(); }
  bool empty() const { return out_.empty(); }
  std::string_view view() const { return out_; }
  // Returns the written bytes and leaves the writer empty.
  std::string take();
  void clear() { out_.clear(); }
  // Drops everything written after size() was `mark` (a retried transaction's partial reply).
  void truncate(size_t mark) { out_.resize(mark); }

 private:
  void add_header(char prefix, unsigned long long n);
  void add_line(char prefix, std::string_view text);  // sanitizes CR/LF
  void insert_header(size_t mark, char prefix, unsigned long long n);

  int resp_;
  std::string out_;
};

}  // namespace protocol
