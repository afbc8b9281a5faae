#include "daemon_under_test.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "../../tests/support/process.h"

namespace halink::bench {

namespace fs = std::filesystem;
using testing::in_namespace;
using testing::Process;
using testing::run_command;
using testing::run_in;
using testing::shell_quoted;
using testing::tail_of;
using testing::wait_until;
using testing::write_file;
using namespace std::chrono_literals;

namespace {

constexpr const char* bird_binary = "/usr/sbin/bird";
constexpr const char* birdc_binary = "/usr/sbin/birdc";
constexpr const char* bgpd_binary = "/usr/lib/frr/bgpd";
constexpr const char* vtysh_binary = "/usr/bin/vtysh";
constexpr const char* gobgpd_binary = "/usr/bin/gobgpd";
constexpr const char* gobgp_binary = "/usr/bin/gobgp";

std::string ipv(const BenchTopology& t) { return t.family == Family::ipv4 ? "ipv4" : "ipv6"; }
std::string blaster_name(size_t i) { return i == 0 ? "blaster" : "blaster" + std::to_string(i + 1); }
// Every neighbour of the daemon with its AS: the blasters, then the sink.
std::vector<std::pair<IpAddress, uint32_t>> neighbors(const BenchTopology& t) {
  std::vector<std::pair<IpAddress, uint32_t>> all;
  for (const IpAddress& blaster : t.blasters) all.emplace_back(blaster, t.blaster_as);
  all.emplace_back(t.sink, t.sink_as);
  return all;
}

// ---- halinkd: --no-fib, accept-all in from the blasters, all out to the sink.
class HalinkdUnderTest final : public DaemonUnderTest {
public:
  HalinkdUnderTest(BenchTopology t, fs::path dir, std::string binary)
      : t_(std::move(t)), dir_(std::move(dir)), binary_(std::move(binary)) {}
  DaemonKind kind() const override { return DaemonKind::halinkd; }
  bool start(std::string& error) override {
    const std::string hold = std::to_string(t_.hold_time);
    auto neighbor = [&](const std::string& name, const IpAddress& address, uint32_t as, const char* import,
                        const char* exp) {
      return "  - name: " + name + "\n    address: " + address.to_string() + "\n    remote_as: " +
             std::to_string(as) + "\n    hold_time: " + hold + "\n    connect_retry: 1\n    import: " + import +
             "\n    export: " + exp + "\n";
    };
    std::string conf = "local_as: " + std::to_string(t_.daemon_as) + "\nrouter_id: " + t_.daemon_router_id +
                       "\ncontrol_socket: " + (dir_ / "halinkd.sock").string() + "\nneighbors:\n";
    for (size_t i = 0; i < t_.blasters.size(); ++i)
      conf += neighbor(blaster_name(i), t_.blasters[i], t_.blaster_as, "all", "none");
    write_file(dir_ / "halinkd.yaml", conf + neighbor("sink", t_.sink, t_.sink_as, "none", "all"));
    process_ = Process(in_namespace(t_.daemon_namespace, {binary_, "--no-fib", "-c", (dir_ / "halinkd.yaml").string()}),
                       dir_ / "halinkd.log");
    if (!wait_until([&] { return !process_.running() || fs::exists(dir_ / "halinkd.sock"); }, 10s) ||
        !process_.running()) {
      error = "halinkd did not start\n" + log_tail();
      return false;
    }
    return true;
  }
  void stop() override { process_.stop(10s); }
  bool running() override { return process_.running(); }
  std::vector<pid_t> pids() const override { return {process_.pid()}; }
  std::string log_tail() const override { return tail_of(dir_ / "halinkd.log"); }

private:
  BenchTopology t_;
  fs::path dir_;
  std::string binary_;
  Process process_;
};

// ---- BIRD 2: no kernel protocol, so nothing reaches the kernel.
class BirdUnderTest final : public DaemonUnderTest {
public:
  BirdUnderTest(BenchTopology t, fs::path dir) : t_(std::move(t)), dir_(std::move(dir)) {}
  DaemonKind kind() const override { return DaemonKind::bird; }
  bool start(std::string& error) override {
    auto protocol = [&](const std::string& name, const IpAddress& local, const IpAddress& neighbor, uint32_t as,
                        const char* import, const char* exp) {
      return "protocol bgp " + name + " {\n  local " + local.to_string() + " as " + std::to_string(t_.daemon_as) +
             ";\n  neighbor " + neighbor.to_string() + " as " + std::to_string(as) + ";\n  hold time " +
             std::to_string(t_.hold_time) + ";\n  connect delay time 1;\n  connect retry time 1;\n  " + ipv(t_) +
             " { import " + import + "; export " + exp + "; };\n}\n";
    };
    std::string conf = "router id " + t_.daemon_router_id + ";\nlog \"" + (dir_ / "bird.log").string() +
                       "\" { warning, error, fatal };\nprotocol device { scan time 10; }\n";
    for (size_t i = 0; i < t_.blasters.size(); ++i)
      conf += protocol(blaster_name(i), t_.daemon_towards_blaster, t_.blasters[i], t_.blaster_as, "all", "none");
    write_file(dir_ / "bird.conf", conf + protocol("sink", t_.daemon_towards_sink, t_.sink, t_.sink_as, "none", "all"));
    process_ = Process(in_namespace(t_.daemon_namespace, {bird_binary, "-f", "-c", (dir_ / "bird.conf").string(),
                                                          "-s", (dir_ / "bird.ctl").string()}),
                       dir_ / "bird.out");
    if (!wait_until([&] { return !process_.running() || birdc("show status").ok(); }, 10s) ||
        !process_.running()) {
      error = "BIRD did not start\n" + log_tail();
      return false;
    }
    return true;
  }
  void stop() override { process_.stop(10s); }
  bool running() override { return process_.running(); }
  std::vector<pid_t> pids() const override { return {process_.pid()}; }
  std::string log_tail() const override { return tail_of(dir_ / "bird.log") + tail_of(dir_ / "bird.out", 10); }

private:
  testing::CommandResult birdc(const std::string& command) const {
    return run_command(std::string(birdc_binary) + " -s " + (dir_ / "bird.ctl").string() + " " + command);
  }
  BenchTopology t_;
  fs::path dir_;
  Process process_;
};

// ---- FRR: bgpd alone, without zebra (-Z) and with no kernel install (-n).
// It drops to the frr user, so `dir` must be world-writable.
class FrrUnderTest final : public DaemonUnderTest {
public:
  FrrUnderTest(BenchTopology t, fs::path dir) : t_(std::move(t)), dir_(std::move(dir)) {}
  DaemonKind kind() const override { return DaemonKind::frr; }
  bool start(std::string& error) override {
    std::string conf = "frr defaults traditional\nhostname dut\nlog stdout warnings\n"
                       "router bgp " + std::to_string(t_.daemon_as) + "\n"
                       " bgp router-id " + t_.daemon_router_id + "\n"
                       " no bgp default ipv4-unicast\n"
                       // RFC 8212 would make FRR drop eBGP routes without a policy: accept all, as the others.
                       " no bgp ebgp-requires-policy\n";
    const std::string hold = std::to_string(t_.hold_time), keepalive = std::to_string(t_.hold_time / 3);
    for (auto [neighbor, as] : neighbors(t_)) {
      const std::string n = " neighbor " + neighbor.to_string();
      conf += n + " remote-as " + std::to_string(as) + "\n" + n + " timers " + keepalive + " " + hold + "\n" + n +
              " timers connect 1\n" + n + " advertisement-interval 0\n";
    }
    conf += " address-family " + ipv(t_) + " unicast\n";
    for (auto [neighbor, as] : neighbors(t_)) conf += "  neighbor " + neighbor.to_string() + " activate\n";
    conf += " exit-address-family\n";
    write_file(dir_ / "bgpd.conf", conf);
    bgpd_ = Process(in_namespace(t_.daemon_namespace,
                                 {bgpd_binary, "--vty_socket", dir_.string(), "-i", (dir_ / "bgpd.pid").string(), "-f",
                                  (dir_ / "bgpd.conf").string(), "-Z", "-n", "-P", "0"}),
                    dir_ / "bgpd.log");
    if (!wait_until([&] { return !bgpd_.running() || vtysh("show bgp summary json").ok(); }, 10s) ||
        !bgpd_.running()) {
      error = "bgpd did not start\n" + log_tail();
      return false;
    }
    return true;
  }
  void stop() override { bgpd_.stop(10s); }
  bool running() override { return bgpd_.running(); }
  std::vector<pid_t> pids() const override { return {bgpd_.pid()}; }
  std::string log_tail() const override { return tail_of(dir_ / "bgpd.log"); }

private:
  testing::CommandResult vtysh(const std::string& command) const {
    return run_in(t_.daemon_namespace,
                  std::string(vtysh_binary) + " --vty_socket " + dir_.string() + " -c " + shell_quoted(command));
  }
  BenchTopology t_;
  fs::path dir_;
  Process bgpd_;
};

// ---- GoBGP: no zebra integration configured, so nothing reaches the kernel.
class GobgpUnderTest final : public DaemonUnderTest {
public:
  GobgpUnderTest(BenchTopology t, fs::path dir) : t_(std::move(t)), dir_(std::move(dir)) {}
  DaemonKind kind() const override { return DaemonKind::gobgp; }
  bool start(std::string& error) override {
    std::string conf = "[global.config]\n  as = " + std::to_string(t_.daemon_as) + "\n  router-id = \"" +
                       t_.daemon_router_id + "\"\n";
    for (auto [neighbor, as] : neighbors(t_))
      conf += "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" + neighbor.to_string() +
              "\"\n    peer-as = " + std::to_string(as) +
              "\n  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = " + std::to_string(t_.hold_time) +
              "\n    keepalive-interval = " + std::to_string(t_.hold_time / 3) +
              "\n    minimum-advertisement-interval = 0\n"
              "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"" + ipv(t_) +
              "-unicast\"\n";
    write_file(dir_ / "gobgpd.toml", conf);
    process_ = Process(in_namespace(t_.daemon_namespace, {gobgpd_binary, "-f", (dir_ / "gobgpd.toml").string(), "-p",
                                                          "--api-hosts", "127.0.0.1:50051", "--pprof-disable",
                                                          "-l", "warn"}),
                       dir_ / "gobgpd.log");
    if (!wait_until([&] { return !process_.running() || gobgp("global").ok(); }, 10s) || !process_.running()) {
      error = "gobgpd did not start\n" + log_tail();
      return false;
    }
    return true;
  }
  void stop() override { process_.stop(10s); }
  bool running() override { return process_.running(); }
  std::vector<pid_t> pids() const override { return {process_.pid()}; }
  std::string log_tail() const override { return tail_of(dir_ / "gobgpd.log"); }

private:
  testing::CommandResult gobgp(const std::string& args) const {
    return run_in(t_.daemon_namespace, std::string(gobgp_binary) + " -u 127.0.0.1 -p 50051 " + args);
  }
  BenchTopology t_;
  fs::path dir_;
  Process process_;
};

}  // namespace

const char* daemon_name(DaemonKind kind) {
  switch (kind) {
    case DaemonKind::halinkd: return "halinkd";
    case DaemonKind::bird: return "BIRD";
    case DaemonKind::frr: return "FRR";
    case DaemonKind::gobgp: return "GoBGP";
  }
  return "?";
}

std::string missing_binaries(DaemonKind kind, const std::string& halinkd_binary) {
  std::vector<std::string> needed;
  switch (kind) {
    case DaemonKind::halinkd: needed = {halinkd_binary}; break;
    case DaemonKind::bird: needed = {bird_binary, birdc_binary}; break;
    case DaemonKind::frr: needed = {bgpd_binary, vtysh_binary}; break;
    case DaemonKind::gobgp: needed = {gobgpd_binary, gobgp_binary}; break;
  }
  std::string missing;
  for (const auto& b : needed)
    if (!testing::is_executable(b)) missing += (missing.empty() ? "" : ", ") + b;
  return missing;
}

std::unique_ptr<DaemonUnderTest> make_daemon(DaemonKind kind, const BenchTopology& topology, fs::path dir,
                                             std::string halinkd_binary) {
  switch (kind) {
    case DaemonKind::halinkd:
      return std::make_unique<HalinkdUnderTest>(topology, std::move(dir), std::move(halinkd_binary));
    case DaemonKind::bird: return std::make_unique<BirdUnderTest>(topology, std::move(dir));
    case DaemonKind::frr: return std::make_unique<FrrUnderTest>(topology, std::move(dir));
    case DaemonKind::gobgp: return std::make_unique<GobgpUnderTest>(topology, std::move(dir));
  }
  return nullptr;
}

ProcessUsage usage_of(const std::vector<pid_t>& pids) {
  ProcessUsage usage;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (pid_t pid : pids) {
    if (pid <= 0) continue;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmHWM:", 0) == 0) usage.peak_rss_bytes += std::stoull(line.substr(6)) * 1024;
    // /proc/PID/stat: "pid (comm) state ..." — utime and stime are fields 14
    // and 15, counted after the closing parenthesis of comm (proc(5)).
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 15 && fields >> field; ++i)
      if (i == 14 || i == 15) usage.cpu_seconds += std::stod(field) / ticks;
  }
  return usage;
}

}  // namespace halink::bench
