// Full-table benchmark (issue 8): a route blaster, the daemon under test and
// a sink peer, each in its own network namespace, joined by veth pairs:
//
//   blaster 10.0.1.2 ── 10.0.1.1 daemon 10.0.2.1 ── 10.0.2.2 sink
//   (AS 65001)          (AS 65000, no kernel FIB)     (AS 65002)
//   (fd00:1::2 / fd00:1::1 and fd00:2::1 / fd00:2::2 for the IPv6 table)
//
// --upstreams N (2–4) adds blasters 10.0.1.3… in the same AS, one session
// each, like the parallel tunnels of the article's design: each sends the
// same prefixes with its own next hop and in its own order, so the daemon
// holds N paths per prefix.
//
// Per run: a fresh daemon; the sink's session comes up, then the blasters';
// they write the pre-encoded table (table_generator.h) as fast as the
// socket takes it, then End-of-RIB. Measured:
//   load      from the first UPDATE byte written until the sink holds every
//             prefix; with several upstreams, until the daemon is also idle
//             (its CPU time still for 0.5 s; the sink is complete after the
//             first paths, the other paths change nothing it sees);
//   withdraw  from the first withdrawal written (all blasters at once)
//             until the sink holds none;
//   the daemon's peak RSS (VmHWM of its processes) and CPU seconds
//   (utime + stime) over each phase.
// The median of the runs is printed per daemon, with ratios against BIRD.
// --blaster-only measures the blaster itself against a sink that discards
// what it reads (no daemon), to show it is not the bottleneck.
//
// Root only (namespaces). Everything it creates is removed at exit, and
// every process it starts is stopped by PID.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <thread>
#include <unordered_set>

#include "bgp_endpoint.h"
#include "daemon_under_test.h"
#include "../../tests/support/netns.h"
#include "../../tests/support/process.h"
#include "table_generator.h"

namespace halink::bench {
namespace {

using testing::TestNamespace;

double seconds_between(Time from, Time to) { return static_cast<double>(to.ns() - from.ns()) / 1e9; }

// The three namespaces and two links of one invocation.
struct Lab {
  TestNamespace blaster_ns{"ft-b"}, daemon_ns{"ft-d"}, sink_ns{"ft-s"};
  bool ok = false;

  explicit Lab(int upstreams) {
    if (!blaster_ns.ok() || !daemon_ns.ok() || !sink_ns.ok()) return;
    ok = link(blaster_ns, "to-blaster", 1) && link(sink_ns, "to-sink", 2);
    for (int host = 3; ok && host < 2 + upstreams; ++host)
      ok = blaster_ns.run("ip addr add 10.0.1." + std::to_string(host) + "/24 dev veth-d && ip addr add fd00:1::" +
                          std::to_string(host) + "/64 dev veth-d nodad") == 0;
  }
  // daemon's `name` 10.0.N.1 / fd00:N::1 ── other's veth-d 10.0.N.2 / fd00:N::2
  bool link(const TestNamespace& other, const std::string& name, int n) {
    const std::string net = std::to_string(n);
    if (std::system(("ip link add " + name + " netns " + daemon_ns.name() + " type veth peer name veth-d netns " +
                     other.name())
                        .c_str()) != 0)
      return false;
    return daemon_ns.run("ip addr add 10.0." + net + ".1/24 dev " + name + " && ip addr add fd00:" + net +
                         "::1/64 dev " + name + " nodad && ip link set " + name + " up") == 0 &&
           other.run("ip addr add 10.0." + net + ".2/24 dev veth-d && ip addr add fd00:" + net +
                     "::2/64 dev veth-d nodad && ip link set veth-d up") == 0;
  }
};

IpAddress address(Family family, int link, int host) {
  const std::string l = std::to_string(link), h = std::to_string(host);
  return *IpAddress::parse(family == Family::ipv4 ? "10.0." + l + "." + h : "fd00:" + l + "::" + h);
}

// ---- the sink: holds the set of prefixes the daemon sent it.
struct Sink {
  std::atomic<bool> established{false}, stop{false}, failed{false};
  std::atomic<size_t> count{0}, target{0};
  std::atomic<int64_t> reached_at_ns{-1}, last_update_ns{0};
  std::atomic<uint64_t> discarded_bytes{0};
  std::atomic<int64_t> last_bytes_ns{0};
  std::string error;
  std::thread thread;

  void run(const TestNamespace& ns, EndpointConfig config, bool discard) {
    thread = std::thread([this, &ns, config, discard] {
      if (!ns.enter()) {
        error = "cannot enter " + ns.name();
        failed = true;
        return;
      }
      std::unordered_set<Prefix> prefixes;
      prefixes.reserve(2'500'000);
      BgpEndpoint endpoint(config);
      endpoint.discard_after_established = discard;
      endpoint.on_update = [&](Time now, const bgp::Update& u) {
        for (const Prefix& p : u.withdrawn.prefixes) prefixes.erase(p);
        for (const Prefix& p : u.mp_withdrawn.prefixes) prefixes.erase(p);
        for (const Prefix& p : u.nlri.prefixes) prefixes.insert(p);
        for (const Prefix& p : u.mp_nlri.prefixes) prefixes.insert(p);
        count.store(prefixes.size());
        last_update_ns.store(now.ns());
        if (prefixes.size() == target.load() && reached_at_ns.load() < 0) reached_at_ns.store(now.ns());
      };
      const Time deadline = monotonic_now() + Duration::seconds(60);
      if (!endpoint.accept(deadline, error) || !endpoint.establish(deadline, error)) {
        failed = true;
        return;
      }
      established = true;
      while (!stop) {
        if (!endpoint.serve(Duration::milliseconds(50))) {
          error = "sink session down: " + endpoint.down_reason();
          failed = true;
          return;
        }
        discarded_bytes.store(endpoint.discarded_bytes());
        last_bytes_ns.store(endpoint.last_bytes_at().ns());
      }
    });
  }
  void join() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  ~Sink() { join(); }
};

// ---- the blaster: writes the pre-encoded streams on command.
struct Blaster {
  enum Phase { idle, announce, withdraw };
  std::atomic<bool> established{false}, stop{false}, failed{false}, busy{false};
  std::atomic<int> phase{idle};
  std::atomic<int64_t> started_ns{0}, written_ns{0};
  std::string error;
  std::thread thread;

  void run(const TestNamespace& ns, EndpointConfig config, const EncodedStream& announcements,
           const EncodedStream& withdrawals) {
    thread = std::thread([this, &ns, config, &announcements, &withdrawals] {
      if (!ns.enter()) {
        error = "cannot enter " + ns.name();
        failed = true;
        return;
      }
      BgpEndpoint endpoint(config);
      const Time deadline = monotonic_now() + Duration::seconds(60);
      if (!endpoint.connect(deadline, error) || !endpoint.establish(deadline, error)) {
        failed = true;
        return;
      }
      established = true;
      while (!stop) {
        const int p = phase.exchange(idle);
        if (p != idle) {
          const EncodedStream& stream = p == announce ? announcements : withdrawals;
          started_ns = endpoint.write_messages(stream.bytes, stream.chunk_ends).ns();
          written_ns = monotonic_now().ns();
          busy = false;
        }
        if (!endpoint.serve(Duration::milliseconds(20))) {
          error = "blaster session down: " + endpoint.down_reason();
          failed = true;
          return;
        }
      }
    });
  }
  void start(Phase p) {
    busy = true;
    phase = p;
  }
  void join() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  ~Blaster() { join(); }
};

struct RunResult {
  bool ok = false;
  std::string error;
  double load_seconds = 0, withdraw_seconds = 0;
  double blaster_load_seconds = 0;  // how long the blaster took to write the table
  double cpu_load = 0, cpu_withdraw = 0;
  uint64_t peak_rss = 0;
};

struct Options {
  std::string halinkd_binary = HALINKD_BINARY;
  std::vector<std::string> daemons{"halinkd", "bird", "frr", "gobgp"};
  int runs = 3;
  std::string family = "ipv4";
  size_t prefixes = 0, attribute_sets = 0;
  int timeout_seconds = 900;
  int upstreams = 1;
  bool blaster_only = false;
  std::string perf_output;  // perf record -g on halinkd over both phases
};

bool wait_for(const std::function<bool()>& done, const std::function<bool()>& failed, int timeout_seconds) {
  const Time deadline = monotonic_now() + Duration::seconds(timeout_seconds);
  while (!done()) {
    if (failed() || monotonic_now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Waits until the daemon's CPU time has not grown for `quiet`; returns when
// it last grew.
Time idle_since(const DaemonUnderTest& daemon, Duration quiet, const std::function<bool()>& failed,
                int timeout_seconds) {
  const Time deadline = monotonic_now() + Duration::seconds(timeout_seconds);
  double cpu = usage_of(daemon.pids()).cpu_seconds;
  Time last_busy = monotonic_now();
  while (monotonic_now() - last_busy < quiet && !failed() && monotonic_now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double now_cpu = usage_of(daemon.pids()).cpu_seconds;
    if (now_cpu != cpu) last_busy = monotonic_now();
    cpu = now_cpu;
  }
  return last_busy;
}

RunResult run_once(DaemonKind kind, const Options& options, Lab& lab, const BenchTopology& topology,
                   const std::vector<EncodedStream>& announcements, const std::vector<EncodedStream>& withdrawals,
                   size_t prefixes) {
  RunResult result;
  testing::ScratchDir scratch(std::string("fulltable-") + daemon_name(kind));
  auto daemon = make_daemon(kind, topology, scratch.subdir("daemon"), options.halinkd_binary);
  if (!daemon->start(result.error)) return result;

  EndpointConfig sink_config{topology.sink_as, topology.daemon_as, 0x0a000202, topology.sink,
                             topology.daemon_towards_sink, 179, topology.family,
                             Duration::seconds(topology.hold_time), true};
  Sink sink;
  std::vector<std::unique_ptr<Blaster>> blasters;
  sink.run(lab.sink_ns, sink_config, false);
  if (!wait_for([&] { return sink.established.load(); }, [&] { return sink.failed.load(); }, 60)) {
    result.error = "sink: " + sink.error + "\n" + daemon->log_tail();
    return result;
  }
  auto every_blaster = [&](auto&& predicate) {
    return std::all_of(blasters.begin(), blasters.end(), [&](const auto& b) { return predicate(*b); });
  };
  auto some_blaster_failed = [&] {
    return std::any_of(blasters.begin(), blasters.end(), [](const auto& b) { return b->failed.load(); });
  };
  auto blaster_errors = [&] {
    std::string errors;
    for (const auto& b : blasters) errors += b->error;
    return errors;
  };
  for (size_t i = 0; i < topology.blasters.size(); ++i) {
    EndpointConfig blaster_config{topology.blaster_as, topology.daemon_as, static_cast<uint32_t>(0x0a000102 + i),
                                  topology.blasters[i], topology.daemon_towards_blaster, 179, topology.family,
                                  Duration::seconds(topology.hold_time), false};
    blasters.push_back(std::make_unique<Blaster>());
    blasters.back()->run(lab.blaster_ns, blaster_config, announcements[i], withdrawals[i]);
  }
  if (!wait_for([&] { return every_blaster([](const Blaster& b) { return b.established.load(); }); },
                some_blaster_failed, 60)) {
    result.error = "blaster: " + blaster_errors() + "\n" + daemon->log_tail();
    return result;
  }

  std::unique_ptr<testing::Process> perf;
  if (!options.perf_output.empty() && kind == DaemonKind::halinkd)
    perf = std::make_unique<testing::Process>(
        std::vector<std::string>{"perf", "record", "-g", "-o", options.perf_output, "-p",
                                 std::to_string(daemon->pids().front())},
        scratch / "perf.log");

  auto failed = [&] { return sink.failed.load() || some_blaster_failed() || !daemon->running(); };
  auto all_written = [&] { return every_blaster([](const Blaster& b) { return !b.busy.load(); }); };
  // The first blaster's first byte: they all start together.
  auto started_ns = [&] {
    int64_t first = INT64_MAX;
    for (const auto& b : blasters) first = std::min(first, b->started_ns.load());
    return first;
  };
  auto last_written_ns = [&] {
    int64_t last = 0;
    for (const auto& b : blasters) last = std::max(last, b->written_ns.load());
    return last;
  };
  // Load.
  ProcessUsage before = usage_of(daemon->pids());
  sink.target = prefixes;
  sink.reached_at_ns = -1;
  for (auto& b : blasters) b->start(Blaster::announce);
  if (!wait_for([&] { return sink.reached_at_ns.load() >= 0; }, failed, options.timeout_seconds)) {
    result.error = "load incomplete: sink has " + std::to_string(sink.count.load()) + " of " +
                   std::to_string(prefixes) + " " + sink.error + blaster_errors() + "\n" + daemon->log_tail();
    return result;
  }
  wait_for(all_written, failed, options.timeout_seconds);
  int64_t load_end_ns = sink.reached_at_ns.load();
  if (blasters.size() > 1)
    load_end_ns = std::max(load_end_ns, idle_since(*daemon, Duration::milliseconds(500), failed,
                                                   options.timeout_seconds).ns());
  ProcessUsage after_load = usage_of(daemon->pids());
  result.load_seconds = static_cast<double>(load_end_ns - started_ns()) / 1e9;
  result.blaster_load_seconds = static_cast<double>(last_written_ns() - started_ns()) / 1e9;
  result.cpu_load = after_load.cpu_seconds - before.cpu_seconds;

  // Withdraw storm.
  sink.target = 0;
  sink.reached_at_ns = -1;
  for (auto& b : blasters) b->start(Blaster::withdraw);
  if (!wait_for([&] { return sink.reached_at_ns.load() >= 0; }, failed, options.timeout_seconds)) {
    result.error = "withdraw incomplete: sink still has " + std::to_string(sink.count.load()) + "\n" +
                   daemon->log_tail();
    return result;
  }
  wait_for(all_written, failed, options.timeout_seconds);
  ProcessUsage after_withdraw = usage_of(daemon->pids());
  result.withdraw_seconds = static_cast<double>(sink.reached_at_ns.load() - started_ns()) / 1e9;
  result.cpu_withdraw = after_withdraw.cpu_seconds - after_load.cpu_seconds;
  result.peak_rss = after_withdraw.peak_rss_bytes;
  if (perf) {
    perf->signal(SIGINT);
    perf->stop(std::chrono::seconds(30));
  }
  for (auto& b : blasters) b->join();
  sink.join();
  daemon->stop();
  result.ok = true;
  return result;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int blaster_only(const Options& options, Lab& lab, const BenchTopology& topology, const EncodedStream& announcements) {
  std::vector<double> seconds;
  for (int run = 1; run <= options.runs; ++run) {
    // The sink stands where the daemon would, on the blaster's link.
    EndpointConfig discard_config{topology.daemon_as, topology.blaster_as, 0x0a000101, topology.daemon_towards_blaster,
                                  topology.blasters[0], 179, topology.family,
                                  Duration::seconds(topology.hold_time), true};
    EndpointConfig blaster_config{topology.blaster_as, topology.daemon_as, 0x0a000102, topology.blasters[0],
                                  topology.daemon_towards_blaster, 179, topology.family,
                                  Duration::seconds(topology.hold_time), false};
    Sink sink;
    Blaster blaster;
    EncodedStream none;
    sink.run(lab.daemon_ns, discard_config, true);
    blaster.run(lab.blaster_ns, blaster_config, announcements, none);
    auto failed = [&] { return sink.failed.load() || blaster.failed.load(); };
    if (!wait_for([&] { return sink.established.load() && blaster.established.load(); }, failed, 60)) {
      std::fprintf(stderr, "blaster self-test: %s %s\n", sink.error.c_str(), blaster.error.c_str());
      return 1;
    }
    blaster.start(Blaster::announce);
    if (!wait_for([&] { return sink.discarded_bytes.load() >= announcements.bytes.size(); }, failed, 120)) {
      std::fprintf(stderr, "blaster self-test: incomplete\n");
      return 1;
    }
    const double s = static_cast<double>(sink.last_bytes_ns.load() - blaster.started_ns.load()) / 1e9;
    seconds.push_back(s);
    std::printf("run %d: %.3f s, %.2f M prefixes/s, %.0f k UPDATEs/s, %.0f MB/s\n", run, s,
                static_cast<double>(announcements.prefixes) / s / 1e6,
                static_cast<double>(announcements.messages) / s / 1e3,
                static_cast<double>(announcements.bytes.size()) / s / 1e6);
  }
  const double s = median(seconds);
  std::printf("blaster → discard sink, median of %d: %.3f s = %.2f M prefixes/s (%.0f MB/s)\n", options.runs, s,
              static_cast<double>(announcements.prefixes) / s / 1e6,
              static_cast<double>(announcements.bytes.size()) / s / 1e6);
  return 0;
}

int run(const Options& options) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "fulltable: needs root (network namespaces)\n");
    return 2;
  }
  const Family family = options.family == "ipv6" ? Family::ipv6 : Family::ipv4;
  Lab lab(options.upstreams);
  if (!lab.ok) {
    std::fprintf(stderr, "fulltable: cannot set up namespaces and links\n");
    return 1;
  }
  BenchTopology topology;
  topology.daemon_namespace = lab.daemon_ns.name();
  topology.family = family;
  topology.daemon_towards_blaster = address(family, 1, 1);
  for (int i = 0; i < options.upstreams; ++i) topology.blasters.push_back(address(family, 1, 2 + i));
  topology.daemon_towards_sink = address(family, 2, 1);
  topology.sink = address(family, 2, 2);

  TableSpec spec = TableSpec::full_table(family, topology.blasters[0]);
  if (options.prefixes) spec.prefixes = options.prefixes;
  if (options.attribute_sets) spec.attribute_sets = options.attribute_sets;
  spec.attribute_sets = std::min(spec.attribute_sets, spec.prefixes);
  const Time generating = monotonic_now();
  Table table = generate_table(spec);
  bgp::CodecContext ctx;  // 4-octet ASNs, 4096-octet messages
  // Each upstream: its own next hop, its own order.
  std::vector<EncodedStream> announcements, withdrawals;
  for (size_t i = 0; i < topology.blasters.size(); ++i) {
    Table own = table;
    for (bgp::PathAttributes& attributes : own.attribute_sets) attributes.next_hop = topology.blasters[i];
    announcements.push_back(encode_announcements(own, ctx, spec.seed + i));
    withdrawals.push_back(encode_withdrawals(own, ctx));
  }
  std::printf("table: %s; withdrawals: %zu UPDATEs; %zu upstream(s) (generated in %.1f s)\n",
              describe(table, announcements[0]).c_str(), withdrawals[0].messages, topology.blasters.size(),
              seconds_between(generating, monotonic_now()));
  std::fflush(stdout);

  if (options.blaster_only) return blaster_only(options, lab, topology, announcements[0]);

  std::map<std::string, DaemonKind> kinds{{"halinkd", DaemonKind::halinkd},
                                          {"bird", DaemonKind::bird},
                                          {"frr", DaemonKind::frr},
                                          {"gobgp", DaemonKind::gobgp}};
  struct Summary {
    DaemonKind kind;
    double load, withdraw, cpu_load, cpu_withdraw, rss_mb;
    int ok_runs;
  };
  std::vector<Summary> summaries;
  int failures = 0;
  for (const std::string& name : options.daemons) {
    if (!kinds.count(name)) {
      std::fprintf(stderr, "fulltable: unknown daemon %s\n", name.c_str());
      return 2;
    }
    const DaemonKind kind = kinds.at(name);
    if (auto missing = missing_binaries(kind, options.halinkd_binary); !missing.empty()) {
      std::printf("%s: skipped, missing %s\n", daemon_name(kind), missing.c_str());
      continue;
    }
    std::vector<double> load, withdraw, cpu_load, cpu_withdraw, rss;
    for (int r = 1; r <= options.runs; ++r) {
      RunResult result = run_once(kind, options, lab, topology, announcements, withdrawals, table.prefixes.size());
      if (!result.ok) {
        ++failures;
        std::printf("%s run %d: FAILED: %s\n", daemon_name(kind), r, result.error.c_str());
        std::fflush(stdout);
        continue;
      }
      std::printf("%s run %d: load %.2f s (blaster wrote in %.2f s), withdraw %.2f s, CPU %.2f + %.2f s, "
                  "peak RSS %.0f MB\n",
                  daemon_name(kind), r, result.load_seconds, result.blaster_load_seconds, result.withdraw_seconds,
                  result.cpu_load, result.cpu_withdraw, static_cast<double>(result.peak_rss) / 1048576.0);
      std::fflush(stdout);
      load.push_back(result.load_seconds);
      withdraw.push_back(result.withdraw_seconds);
      cpu_load.push_back(result.cpu_load);
      cpu_withdraw.push_back(result.cpu_withdraw);
      rss.push_back(static_cast<double>(result.peak_rss) / 1048576.0);
    }
    if (!load.empty())
      summaries.push_back({kind, median(load), median(withdraw), median(cpu_load), median(cpu_withdraw), median(rss),
                           static_cast<int>(load.size())});
  }

  const Summary* bird = nullptr;
  for (const Summary& s : summaries)
    if (s.kind == DaemonKind::bird) bird = &s;
  std::printf("\n%zu %s prefixes from %zu upstream(s), median of %d runs\n\n", table.prefixes.size(),
              family == Family::ipv4 ? "IPv4" : "IPv6", topology.blasters.size(), options.runs);
  std::printf("| daemon | load (s) | paths/s | withdraw (s) | CPU load + withdraw (s) | peak RSS (MB) | "
              "load vs BIRD | RSS vs BIRD | withdraw vs BIRD |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const Summary& s : summaries) {
    std::string vs_load = "—", vs_rss = "—", vs_withdraw = "—";
    char buf[64];
    if (bird) {
      std::snprintf(buf, sizeof buf, "%.2f× faster", bird->load / s.load);
      vs_load = buf;
      std::snprintf(buf, sizeof buf, "%.2f×", s.rss_mb / bird->rss_mb);
      vs_rss = buf;
      std::snprintf(buf, sizeof buf, "%.2f× faster", bird->withdraw / s.withdraw);
      vs_withdraw = buf;
    }
    std::printf("| %s%s | %.2f | %.0f k | %.2f | %.2f + %.2f | %.0f | %s | %s | %s |\n", daemon_name(s.kind),
                s.ok_runs < options.runs ? " (some runs failed)" : "", s.load,
                static_cast<double>(table.prefixes.size() * topology.blasters.size()) / s.load / 1e3, s.withdraw,
                s.cpu_load, s.cpu_withdraw, s.rss_mb, vs_load.c_str(), vs_rss.c_str(), vs_withdraw.c_str());
  }
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace halink::bench

int main(int argc, char** argv) {
  CLI::App app{"fulltable: full-table load and withdraw storm through halinkd, BIRD, FRR and GoBGP (root)"};
  halink::bench::Options options;
  app.add_option("--daemons", options.daemons, "which of halinkd, bird, frr, gobgp")->delimiter(',');
  app.add_option("--runs", options.runs, "runs per daemon (median reported)");
  app.add_option("--family", options.family, "ipv4 (1.04 M prefixes) or ipv6 (220 k)")
      ->check(CLI::IsMember({"ipv4", "ipv6"}));
  app.add_option("--prefixes", options.prefixes, "table size instead of the full table");
  app.add_option("--attribute-sets", options.attribute_sets, "distinct attribute sets instead of the default");
  app.add_option("--halinkd", options.halinkd_binary, "halinkd binary");
  app.add_option("--timeout", options.timeout_seconds, "seconds allowed per phase");
  app.add_option("--upstreams", options.upstreams, "blasters sending the table, each with its own next hop")
      ->check(CLI::Range(1, 4));
  app.add_flag("--blaster-only", options.blaster_only, "measure the blaster against a discarding sink");
  app.add_option("--perf", options.perf_output, "perf record -g halinkd during both phases into this file");
  CLI11_PARSE(app, argc, argv);
  return halink::bench::run(options);
}
