// bench/multi_load.cc — a MULTI/EXEC load generator that checks every EXEC reply for isolation.
//
// Each transaction is `MULTI; INCR k; INCR k; GET k; EXEC`, written in one send, on one of
// --connections connections spread over --threads threads (each thread runs an event loop over
// its connections with poll(), as redis-benchmark does; one transaction in flight per connection).
// Modes: `random` picks k = multi:<n> uniformly among --keys keys for each transaction; `hot`
// uses one key (multi:hot) for every transaction of every connection.
// Isolation check: an isolated EXEC replies [a, a+1, "a+1"]; anything else is a violation. A
// reply that is not +OK, +QUEUED x3, then a 3-element array of two integers and a bulk string is
// an error (e.g. -EXECABORT).
// Usage: multi_load --port P [--host IP] [--connections C] [--threads T] [--requests N]
//                   [--mode random|hot] [--keys K] [--timeout S]
// The last line of output is JSON: {"mode", "transactions", "seconds", "tx_per_sec", "p50_ms",
// "p99_ms", "violations", "errors", "client_cpu_s", "timed_out"}. Exit status: 0 when every
// transaction was isolated and well-formed, 1 on a violation or error, 2 on bad arguments,
// 3 when the server cannot be reached or closes a connection, 4 on --timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  int connections = 50;
  int threads = 1;
  int64_t requests = 100000;
  bool hot = false;
  int64_t keys = 100000;
  double timeout_s = 300;
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --port P [--host IP] [--connections C] [--threads T] [--requests N]\n"
               "          [--mode random|hot] [--keys K] [--timeout S]\n"
               "  --connections C  connections (default 50)\n"
               "  --threads T      client threads, connections spread over them (default 1)\n"
               "  --requests N     transactions in all (default 100000)\n"
               "  --mode M         random: key multi:<0..K-1> per transaction; hot: multi:hot\n"
               "  --keys K         key space of the random mode (default 100000)\n"
               "  --timeout S      give up after S seconds (exit 4; default 300)\n",
               argv0);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    auto number = [&]() -> int64_t {
      std::string v = value();
      char* end = nullptr;
      long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n <= 0) usage(argv[0]);
      return n;
    };
    if (a == "--host") {
      o.host = value();
    } else if (a == "--port") {
      o.port = static_cast<int>(number());
    } else if (a == "--connections" || a == "-c") {
      o.connections = static_cast<int>(number());
    } else if (a == "--threads") {
      o.threads = static_cast<int>(number());
    } else if (a == "--requests" || a == "-n") {
      o.requests = number();
    } else if (a == "--keys") {
      o.keys = number();
    } else if (a == "--timeout") {
      o.timeout_s = static_cast<double>(number());
    } else if (a == "--mode") {
      std::string m = value();
      if (m != "random" && m != "hot") usage(argv[0]);
      o.hot = m == "hot";
    } else {
      usage(argv[0]);
    }
  }
  o.threads = std::min(o.threads, o.connections);
  return o;
}

// One RESP2 reply, enough of it for the check: type byte, integer, string, elements.
struct Reply {
  char type = 0;  // '+', '-', ':', '$', '*'
  bool nil = false;
  int64_t integer = 0;
  std::string str;
  std::vector<Reply> elems;
};

// Parses one reply from [p, end). Returns the position after it, or nullptr if incomplete.
// Malformed input sets *bad.
const char* parse_reply(const char* p, const char* end, Reply* out, bool* bad) {
  if (p >= end) return nullptr;
  const char* eol = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(end - p)));
  if (!eol || eol + 1 >= end) return nullptr;
  out->type = *p;
  std::string_view line(p + 1, static_cast<size_t>(eol - p - 1));
  const char* next = eol + 2;
  auto to_int = [&](std::string_view s) -> int64_t {
    std::string t(s);
    char* e = nullptr;
    long long v = std::strtoll(t.c_str(), &e, 10);
    if (t.empty() || *e != '\0') *bad = true;
    return v;
  };
  switch (out->type) {
    case '+':
    case '-': out->str.assign(line); return next;
    case ':': out->integer = to_int(line); return next;
    case '$': {
      int64_t n = to_int(line);
      if (n < 0) {
        out->nil = true;
        return next;
      }
      if (end - next < n + 2) return nullptr;
      out->str.assign(next, static_cast<size_t>(n));
      return next + n + 2;
    }
    case '*': {
      int64_t n = to_int(line);
      if (n < 0) {
        out->nil = true;
        return next;
      }
      out->elems.resize(static_cast<size_t>(n));
      for (auto& e : out->elems) {
        next = parse_reply(next, end, &e, bad);
        if (!next || *bad) return next;
      }
      return next;
    }
    default: *bad = true; return nullptr;
  }
}

std::string resp_command(std::initializer_list<std::string_view> args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (auto a : args) {
    s += "$" + std::to_string(a.size()) + "\r\n";
    s.append(a);
    s += "\r\n";
  }
  return s;
}

std::string transaction(const std::string& key) {
  return resp_command({"MULTI"}) + resp_command({"INCR", key}) + resp_command({"INCR", key}) +
         resp_command({"GET", key}) + resp_command({"EXEC"});
}

// 0 = isolated and well-formed, 1 = violation, 2 = error reply or unexpected shape.
int check(const std::vector<Reply>& r) {
  if (r.size() != 5 || r[0].type != '+' || r[0].str != "OK") return 2;
  for (int i = 1; i <= 3; ++i) {
    if (r[i].type != '+' || r[i].str != "QUEUED") return 2;
  }
  const Reply& ex = r[4];
  if (ex.type != '*' || ex.nil || ex.elems.size() != 3) return 2;
  const Reply& a = ex.elems[0];
  const Reply& b = ex.elems[1];
  const Reply& c = ex.elems[2];
  if (a.type != ':' || b.type != ':' || c.type != '$' || c.nil) return 2;
  if (b.integer != a.integer + 1 || c.str != std::to_string(b.integer)) return 1;
  return 0;
}

struct Conn {
  int fd = -1;
  std::string in;
  std::vector<Reply> replies;
  bool busy = false;
  Clock::time_point sent;
};

struct ThreadResult {
  int64_t done = 0;
  int64_t violations = 0;
  int64_t errors = 0;
  bool failed = false;  // connect error or connection closed
  std::vector<double> latencies_ms;
  std::string first_problem;
};

struct Shared {
  const Options* opt;
  std::atomic<int64_t> issued{0};
  std::atomic<bool> stop{false};
  Clock::time_point deadline;
  sockaddr_storage addr{};
  socklen_t addrlen = 0;
};

int connect_to(const Shared& sh) {
  int fd = socket(sh.addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sh.addr), sh.addrlen) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void run_thread(Shared& sh, int nconns, uint64_t seed, ThreadResult& res) {
  const Options& o = *sh.opt;
  std::vector<Conn> conns(static_cast<size_t>(nconns));
  for (auto& c : conns) {
    c.fd = connect_to(sh);
    if (c.fd < 0) {
      res.failed = true;
      res.first_problem = "cannot connect";
      sh.stop = true;
    }
  }
  uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next_key = [&]() -> std::string {
    if (o.hot) return "multi:hot";
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return "multi:" + std::to_string(rng % static_cast<uint64_t>(o.keys));
  };
  auto start_one = [&](Conn& c) {
    if (sh.stop || sh.issued.fetch_add(1) >= o.requests) return;
    c.busy = true;
    c.replies.clear();
    c.sent = Clock::now();
    if (!send_all(c.fd, transaction(next_key()))) {
      res.failed = true;
      res.first_problem = "send failed";
      sh.stop = true;
    }
  };
  if (!res.failed) {
    for (auto& c : conns) start_one(c);
  }
  std::vector<pollfd> pfds(conns.size());
  char buf[16384];
  while (!sh.stop) {
    size_t active = 0;
    for (size_t i = 0; i < conns.size(); ++i) {
      pfds[i] = {conns[i].fd, static_cast<short>(conns[i].busy ? POLLIN : 0), 0};
      active += conns[i].busy;
    }
    if (active == 0) break;
    if (Clock::now() > sh.deadline) {
      sh.stop = true;
      break;
    }
    int n = poll(pfds.data(), pfds.size(), 100);
    if (n < 0) continue;
    for (size_t i = 0; i < conns.size() && !sh.stop; ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Conn& c = conns[i];
      ssize_t got = recv(c.fd, buf, sizeof(buf), 0);
      if (got <= 0) {
        res.failed = true;
        res.first_problem = "connection closed by the server";
        sh.stop = true;
        break;
      }
      c.in.append(buf, static_cast<size_t>(got));
      const char* p = c.in.data();
      const char* end = p + c.in.size();
      bool bad = false;
      while (c.replies.size() < 5) {
        Reply r;
        const char* q = parse_reply(p, end, &r, &bad);
        if (bad) {
          res.failed = true;
          res.first_problem = "malformed reply";
          sh.stop = true;
          break;
        }
        if (!q) break;
        c.replies.push_back(std::move(r));
        p = q;
      }
      c.in.erase(0, static_cast<size_t>(p - c.in.data()));
      if (c.replies.size() == 5) {
        auto now = Clock::now();
        res.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - c.sent).count());
        int v = check(c.replies);
        if (v != 0 && res.first_problem.empty()) {
          const Reply& ex = c.replies[4];
          res.first_problem =
              v == 1 ? "violation: EXEC replied [" + std::to_string(ex.elems[0].integer) + ", " +
                           std::to_string(ex.elems[1].integer) + ", " + ex.elems[2].str + "]"
                     : "unexpected reply";
        }
        res.violations += v == 1;
        res.errors += v == 2;
        ++res.done;
        c.busy = false;
        start_one(c);
      }
    }
  }
  for (auto& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  Shared sh;
  sh.opt = &o;
  // Numeric addresses only (no resolver: the binary links statically without NSS warnings).
  std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&sh.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&sh.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(o.port));
    sh.addrlen = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(o.port));
    sh.addrlen = sizeof(sockaddr_in6);
  } else {
    std::fprintf(stderr, "multi_load: --host must be a numeric address: %s\n", o.host.c_str());
    return 2;
  }

  auto t0 = Clock::now();
  sh.deadline = t0 + std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000));
  std::vector<ThreadResult> results(static_cast<size_t>(o.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    int nconns = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    threads.emplace_back(run_thread, std::ref(sh), nconns, static_cast<uint64_t>(t + 1),
                         std::ref(results[static_cast<size_t>(t)]));
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();

  int64_t done = 0, violations = 0, errors = 0;
  bool failed = false;
  std::string problem;
  std::vector<double> lat;
  for (auto& r : results) {
    done += r.done;
    violations += r.violations;
    errors += r.errors;
    failed |= r.failed;
    if (problem.empty()) problem = r.first_problem;
    lat.insert(lat.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  bool timed_out = !failed && done < o.requests;
  double p50 = percentile(lat, 0.50);
  double p99 = percentile(lat, 0.99);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  double tps = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::printf(
      "MULTI/EXEC %s: %lld transactions in %.3f s, %.0f tx/s, p50 %.3f ms, p99 %.3f ms, "
      "%lld violations, %lld errors%s%s\n",
      o.hot ? "hot" : "random", static_cast<long long>(done), secs, tps, p50, p99,
      static_cast<long long>(violations), static_cast<long long>(errors),
      problem.empty() ? "" : "; first problem: ", problem.c_str());
  std::printf(
      "{\"mode\": \"%s\", \"transactions\": %lld, \"seconds\": %.6f, \"tx_per_sec\": %.1f, "
      "\"p50_ms\": %.4f, \"p99_ms\": %.4f, \"violations\": %lld, \"errors\": %lld, "
      "\"client_cpu_s\": %.4f, \"timed_out\": %s}\n",
      o.hot ? "hot" : "random", static_cast<long long>(done), secs, tps, p50, p99,
      static_cast<long long>(violations), static_cast<long long>(errors), cpu,
      timed_out ? "true" : "false");
  if (failed) return 3;
  if (timed_out) return 4;
  return violations || errors ? 1 : 0;
}
