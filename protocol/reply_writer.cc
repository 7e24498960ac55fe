#include "protocol/reply_writer.h"

#include <utility>

#include "protocol/number_format.h"

namespace protocol {
namespace {

// Writes "<prefix><n>\r\n" into buf; returns its length. buf holds at least 24 bytes.
size_t format_header(char* buf, char prefix, long long n) {
  buf[0] = prefix;
  size_t len = 1 + ll2string(buf + 1, kLongLongStrSize, n);
  buf[len++] = '\r';
  buf[len++] = '\n';
  return len;
}

}  // namespace

void ReplyWriter::add_header(char prefix, unsigned long long n) {
  char buf[kLongLongStrSize + 4];
  out_.append(buf, format_header(buf, prefix, static_cast<long long>(n)));
}

void ReplyWriter::add_line(char prefix, std::string_view text) {
  const size_t start = out_.size();
  out_.push_back(prefix);
  out_.append(text);
  for (size_t i = start + 1; i < out_.size(); ++i) {
    if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
  }
  out_.append("\r\n", 2);
}

void ReplyWriter::add_simple_string(std::string_view text) { add_line('+', text); }

void ReplyWriter::add_error(std::string_view message) { add_line('-', message); }

void ReplyWriter::add_integer(long long value) {
  char buf[kLongLongStrSize + 4];
  out_.append(buf, format_header(buf, ':', value));
}

void ReplyWriter::add_bulk(std::string_view bytes) {
  add_header('$', bytes.size());
  out_.append(bytes);
  out_.append("\r\n", 2);
}

void ReplyWriter::add_bulk_integer(long long value) {
  char digits[kLongLongStrSize];
  add_bulk(std::string_view(digits, ll2string(digits, sizeof(digits), value)));
}

void ReplyWriter::add_null() {
  if (resp_ >= 3) {
    out_.append("_\r\n", 3);
  } else {
    out_.append("$-1\r\n", 5);
  }
}

void ReplyWriter::add_null_array() {
  if (resp_ >= 3) {
    out_.append("_\r\n", 3);
  } else {
    out_.append("*-1\r\n", 5);
  }
}

void ReplyWriter::add_array_len(size_t n) { add_header('*', n); }

void ReplyWriter::add_map_len(size_t n) {
  if (resp_ >= 3) {
    add_header('%', n);
  } else {
    add_header('*', 2 * static_cast<unsigned long long>(n));
  }
}

void ReplyWriter::add_set_len(size_t n) { add_header(resp_ >= 3 ? '~' : '*', n); }

void ReplyWriter::add_push_len(size_t n) { add_header(resp_ >= 3 ? '>' : '*', n); }

void ReplyWriter::add_double(double value) {
  char text[kDoubleStrSize];
  const size_t len = format_double(text, value);
  if (resp_ >= 3) {
    out_.push_back(',');
    out_.append(text, len);
    out_.append("\r\n", 2);
  } else {
    add_bulk(std::string_view(text, len));
  }
}

void ReplyWriter::add_bool(bool value) {
  if (resp_ >= 3) {
    out_.append(value ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_.append(value ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::add_verbatim(std::string_view text, std::string_view ext) {
  if (resp_ < 3) {
    add_bulk(text);
    return;
  }
  add_header('=', text.size() + ext.size() + 1);
  out_.append(ext);
  out_.push_back(':');
  out_.append(text);
  out_.append("\r\n", 2);
}

void ReplyWriter::add_big_number(std::string_view digits) {
  if (resp_ < 3) {
    add_bulk(digits);
    return;
  }
  out_.push_back('(');
  out_.append(digits);
  out_.append("\r\n", 2);
}

void ReplyWriter::insert_header(size_t mark, char prefix, unsigned long long n) {
  char buf[kLongLongStrSize + 4];
  out_.insert(mark, buf, format_header(buf, prefix, static_cast<long long>(n)));
}

void ReplyWriter::set_deferred_array_len(size_t mark, size_t n) { insert_header(mark, '*', n); }

void ReplyWriter::set_deferred_map_len(size_t mark, size_t n) {
  if (resp_ >= 3) {
    insert_header(mark, '%', n);
  } else {
    insert_header(mark, '*', 2 * static_cast<unsigned long long>(n));
  }
}

void ReplyWriter::set_deferred_set_len(size_t mark, size_t n) {
  insert_header(mark, resp_ >= 3 ? '~' : '*', n);
}

std::string ReplyWriter::take() {
  std::string out;
  out.swap(out_);
  return out;
}

}  // namespace protocol
