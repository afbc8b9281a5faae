#include "lab/lab.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/loader.h"
#include "lab/interrupt.h"
#include "runtime/control_socket.h"

namespace halink::lab {

namespace fs = std::filesystem;

namespace {

constexpr const char* wireguard_socket_dir = "/var/run/wireguard";

std::string wireguard_socket(const std::string& instance) {
  return std::string(wireguard_socket_dir) + "/" + instance + ".sock";
}

// tc tbf needs a bucket of at least one timer tick of traffic; 4 ms at
// the rate (HZ=250) with a floor of 32 KiB keeps TCP bursts whole.
std::string tbf_burst(uint64_t rate_bps) {
  uint64_t bytes = std::max<uint64_t>(rate_bps / 8 / 250, 32 * 1024);
  return std::to_string(bytes);
}

// sysctl writes "a.b" interface names as "a/b" in keys.
std::string sysctl_interface(std::string name) {
  for (char& c : name)
    if (c == '.') c = '/';
  return name;
}

Status first_error(Status current, Status next) { return current ? next : current; }

std::vector<std::string> namespaces_of_lab(const std::string& lab) {
  std::vector<std::string> found;
  auto listing = run_command({"ip", "netns", "list"});
  if (!listing) return found;
  std::istringstream lines(*listing);
  std::string line;
  std::string prefix = "hl-" + lab + "-";
  while (std::getline(lines, line)) {
    std::string name = line.substr(0, line.find(' '));
    if (name.rfind(prefix, 0) == 0) found.push_back(name);
  }
  return found;
}

// Removes what a state records: processes (newest first, by PID), then
// wireguard-go sockets a killed instance left, then namespaces.
Status teardown_state(LabState& state) {
  Status status;
  for (auto it = state.processes.rbegin(); it != state.processes.rend(); ++it) stop_process(it->id);
  state.processes.clear();
  for (const std::string& instance : state.wireguard_instances) {
    std::error_code ec;
    fs::remove(wireguard_socket(instance), ec);
  }
  state.wireguard_instances.clear();
  std::vector<std::string> namespaces = state.namespaces;
  for (const std::string& ns : namespaces_of_lab(state.lab))
    if (std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) namespaces.push_back(ns);
  for (auto it = namespaces.rbegin(); it != namespaces.rend(); ++it) {
    // A process the state does not know (a run killed before it could
    // record one) would keep the namespace alive: stop what is inside.
    if (auto pids = run_command({"ip", "netns", "pids", *it})) {
      std::istringstream list(*pids);
      pid_t pid = 0;
      while (list >> pid) stop_process(ProcessId{pid, 0}, 500);
    }
    if (auto removed = run_command({"ip", "netns", "del", *it}); !removed)
      status = first_error(status, Error{removed.message()});
  }
  state.namespaces.clear();
  std::error_code ec;
  fs::remove(state_file_path(state.lab), ec);
  fs::remove_all(lab_directory(state.lab) + "/keys", ec);
  return status;
}

}  // namespace

std::string default_halinkd_path() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / "halinkd";
    if (fs::exists(beside)) return beside.string();
    // The build tree: apps/halink and apps/halinkd, tests/lab/lab_test.
    fs::path apps = self.parent_path().parent_path().parent_path() / "apps" / "halinkd";
    if (fs::exists(apps)) return apps.string();
  }
  return "halinkd";
}

Lab::Lab(config::Topology topology, LabPlan plan, LabOptions options)
    : topology_(std::move(topology)), plan_(std::move(plan)), options_(std::move(options)) {
  state_.lab = plan_.lab;
  state_.topology_file = topology_.source_file;
}

Lab::~Lab() = default;

Result<std::unique_ptr<Lab>> Lab::up(const std::string& topology_path, const LabOptions& options) {
  if (geteuid() != 0) return Error{"halink lab needs root (network namespaces, links, tc, nftables)"};
  std::error_code ec;
  std::string absolute = fs::absolute(topology_path, ec).string();
  auto topology = config::load_topology(absolute);
  if (!topology) return Error{topology.message()};
  topology->source_file = absolute;
  auto plan = plan_lab(*topology);
  if (!plan) return Error{topology_path + ": " + plan.message()};
  if (options.start_daemons)
    if (auto s = check_lab_daemons(*topology, *plan); !s) return Error{topology_path + ": " + s.message()};
  std::string lab = plan->lab;
  if (fs::exists(state_file_path(lab)) || !namespaces_of_lab(lab).empty()) {
    if (options.fail_if_running)
      return Error{"lab " + lab + " is already running (halink lab down " + topology_path + ")"};
    if (auto s = down(lab); !s) return Error{"removing the previous lab " + lab + ": " + s.message()};
  }
  LabOptions resolved = options;
  if (resolved.halinkd_path.empty()) resolved.halinkd_path = default_halinkd_path();
  std::unique_ptr<Lab> built(new Lab(std::move(*topology), std::move(*plan), resolved));
  Status status = built->build();
  if (!status) {
    Status removed = built->teardown();
    std::string message = status.message();
    if (!removed) message += "\n(while removing the partial lab: " + removed.message() + ")";
    return Error{message};
  }
  return built;
}

Status Lab::down(const std::string& lab) {
  auto state = load_state(lab);
  LabState fallback;
  fallback.lab = lab;
  return teardown_state(state ? *state : fallback);
}

Status Lab::teardown() { return teardown_state(state_); }

Status Lab::record() { return save_state(state_); }

std::string Lab::log_file(const std::string& name) const { return directory() + "/" + name + ".log"; }
std::string Lab::control_socket(const std::string& router) const { return directory() + "/" + router + ".sock"; }
std::string Lab::daemon_directory(const std::string& router) const { return directory() + "/" + router; }
std::string Lab::key_file(const std::string& instance) const { return directory() + "/keys/" + instance + ".key"; }

Result<std::string> Lab::run_in(const std::string& namespace_name, const Argv& argv) const {
  return run_command(in_namespace(namespace_name, argv));
}

Status Lab::build() {
  std::error_code ec;
  fs::create_directories(directory() + "/keys", ec);
  if (ec) return Error{"cannot create " + directory() + "/keys: " + ec.message()};
  fs::permissions(directory() + "/keys", fs::perms::owner_all, ec);
  if (auto s = record(); !s) return s;
  // halinkd reads the topology through a link a `change:` step re-points.
  fs::remove(directory() + "/topology.yaml", ec);
  fs::create_symlink(state_.topology_file, directory() + "/topology.yaml", ec);
  if (ec) return Error{"cannot link " + directory() + "/topology.yaml: " + ec.message()};
  using Step = Status (Lab::*)();
  for (Step step : {&Lab::create_namespaces, &Lab::create_links, &Lab::create_tunnels, &Lab::add_routes}) {
    if (interrupted()) return Error{"interrupted"};
    if (auto s = (this->*step)(); !s) return s;
  }
  if (options_.start_daemons)
    for (const DaemonPlan& d : plan_.daemons) {
      if (interrupted()) return Error{"interrupted"};
      if (auto s = start_daemon(d.router); !s) return s;
    }
  return Status::success();
}

Status Lab::create_namespaces() {
  for (const NamespacePlan& ns : plan_.namespaces) {
    if (auto r = run_command({"ip", "netns", "add", ns.name}); !r) return Error{r.message()};
    state_.namespaces.push_back(ns.name);
    if (auto s = record(); !s) return s;
    if (auto r = run_command({"ip", "-n", ns.name, "link", "set", "lo", "up"}); !r) return Error{r.message()};
    if (!ns.sysctls.empty()) {
      Argv argv{"sysctl", "-q", "-w"};
      argv.insert(argv.end(), ns.sysctls.begin(), ns.sysctls.end());
      if (auto r = run_in(ns.name, argv); !r) return Error{r.message()};
    }
  }
  for (const std::string& ns : plan_.bridges) {
    if (auto r = run_command({"ip", "-n", ns, "link", "add", lab_bridge_name, "type", "bridge"}); !r)
      return Error{r.message()};
    if (auto r = run_command({"ip", "-n", ns, "link", "set", lab_bridge_name, "up"}); !r) return Error{r.message()};
  }
  return Status::success();
}

Status Lab::create_links() {
  for (const VethPlan& link : plan_.links) {
    Argv add{"ip", "link", "add", link.a_interface, "netns", link.a_namespace, "type", "veth", "peer", "name",
             link.b_interface, "netns", link.b_namespace};
    if (auto r = run_command(add); !r) return Error{r.message()};
    std::vector<Argv> steps;
    if (link.a_address)
      steps.push_back({"ip", "-n", link.a_namespace, "addr", "add", link.a_address->to_string(), "dev", link.a_interface});
    steps.push_back({"ip", "-n", link.b_namespace, "link", "set", link.b_interface, "master", link.b_bridge});
    if (link.rate_bps > 0)
      for (auto [ns, interface] : {std::pair{link.a_namespace, link.a_interface}, std::pair{link.b_namespace, link.b_interface}})
        steps.push_back({"tc", "-n", ns, "qdisc", "replace", "dev", interface, "root", "tbf", "rate",
                         std::to_string(link.rate_bps) + "bit", "burst", tbf_burst(link.rate_bps), "latency", "50ms"});
    steps.push_back({"ip", "-n", link.a_namespace, "link", "set", link.a_interface, "up"});
    steps.push_back({"ip", "-n", link.b_namespace, "link", "set", link.b_interface, "up"});
    for (const Argv& argv : steps)
      if (auto r = run_command(argv); !r) return Error{r.message()};
  }
  return Status::success();
}

Result<std::string> Lab::public_key_of(const std::string& instance) {
  if (auto found = public_keys_.find(instance); found != public_keys_.end()) return found->second;
  std::string path = key_file(instance);
  if (!fs::exists(path)) {
    auto key = run_command({"wg", "genkey"});
    if (!key) return Error{key.message()};
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return Error{"cannot write " + path};
    bool written = ::write(fd, key->data(), key->size()) == static_cast<ssize_t>(key->size());
    ::close(fd);
    if (!written) return Error{"cannot write " + path};
  }
  std::ifstream in(path);
  std::string private_key;
  in >> private_key;
  auto public_key = run_command({"wg", "pubkey"}, private_key + "\n");
  if (!public_key) return Error{public_key.message()};
  std::string key = public_key->substr(0, public_key->find('\n'));
  public_keys_[instance] = key;
  return key;
}

Status Lab::start_tunnel_end(const TunnelPlan& tunnel, size_t end) {
  const WireGuardEnd& me = tunnel.ends[end];
  const WireGuardEnd& peer = tunnel.ends[1 - end];
  auto peer_key = public_key_of(peer.instance);
  if (!peer_key) return Error{peer_key.message()};
  if (auto own = public_key_of(me.instance); !own) return Error{own.message()};
  std::error_code ec;
  fs::remove(wireguard_socket(me.instance), ec);  // left by a killed instance
  auto process = start_process("wireguard-go", me.router, me.instance, me.namespace_name,
                               {"wireguard-go", "-f", me.instance});
  if (!process) return Error{process.message()};
  if (std::find(state_.wireguard_instances.begin(), state_.wireguard_instances.end(), me.instance) ==
      state_.wireguard_instances.end()) {
    state_.wireguard_instances.push_back(me.instance);
    if (auto s = record(); !s) return s;
  }
  // wireguard-go creates the TUN device and then its control socket.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!fs::exists(wireguard_socket(me.instance))) {
    if (!process_alive(*process) || std::chrono::steady_clock::now() > deadline)
      return Error{"wireguard-go " + me.instance + " in " + me.namespace_name + " did not start; see " +
                   log_file(me.instance)};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string ns = me.namespace_name;
  std::string endpoint = peer.underlay_address.to_string() + ":" + std::to_string(peer.listen_port);
  // The MTU is set under the instance's own name: wireguard-go reads it
  // back by that name (the lab notes' rename trick keeps the file's name).
  std::vector<Argv> steps = {
      {"wg", "set", me.instance, "private-key", key_file(me.instance), "listen-port", std::to_string(me.listen_port),
       "peer", *peer_key, "endpoint", endpoint, "allowed-ips", "0.0.0.0/0,::/0"},
      {"ip", "-n", ns, "link", "set", me.instance, "mtu", std::to_string(tunnel.mtu)},
      {"ip", "-n", ns, "link", "set", me.instance, "name", me.interface},
      {"ip", "-n", ns, "addr", "add", me.address.to_string(), "dev", me.interface},
      // Loose reverse-path check: ECMP return traffic arrives on any tunnel.
      in_namespace(ns, {"sysctl", "-q", "-w", "net.ipv4.conf." + sysctl_interface(me.interface) + ".rp_filter=2"}),
      {"ip", "-n", ns, "link", "set", me.interface, "up"},
  };
  for (const Argv& argv : steps)
    if (auto r = run_command(argv); !r) return Error{r.message()};
  return Status::success();
}

void Lab::crash_tunnel_end(const TunnelPlan& tunnel, size_t end) {
  stop_recorded_process("wireguard-go", tunnel.ends[end].instance, true);
  std::error_code ec;
  fs::remove(wireguard_socket(tunnel.ends[end].instance), ec);
}

Status Lab::set_peer_key(const TunnelPlan& tunnel, size_t end, bool correct) {
  const WireGuardEnd& me = tunnel.ends[end];
  auto right = public_key_of(tunnel.ends[1 - end].instance);
  if (!right) return Error{right.message()};
  std::string wrong_key;
  auto wrong = run_command({"wg", "genkey"});
  if (!wrong) return Error{wrong.message()};
  auto wrong_public = run_command({"wg", "pubkey"}, *wrong);
  if (!wrong_public) return Error{wrong_public.message()};
  wrong_key = wrong_public->substr(0, wrong_public->find('\n'));
  // Every peer is replaced: the one configured now is not known after a
  // previous wrong key, so list them.
  auto peers = run_command({"wg", "show", me.instance, "peers"});
  if (!peers) return Error{peers.message()};
  Argv argv{"wg", "set", me.instance};
  std::istringstream list(*peers);
  std::string key;
  while (list >> key) argv.insert(argv.end(), {"peer", key, "remove"});
  std::string endpoint = tunnel.ends[1 - end].underlay_address.to_string() + ":" +
                         std::to_string(tunnel.ends[1 - end].listen_port);
  argv.insert(argv.end(), {"peer", correct ? *right : wrong_key, "endpoint", endpoint, "allowed-ips", "0.0.0.0/0,::/0"});
  if (auto r = run_command(argv); !r) return Error{r.message()};
  return Status::success();
}

Status Lab::create_tunnels() {
  for (const TunnelPlan& tunnel : plan_.tunnels)
    for (size_t end = 0; end < 2; ++end) {
      if (interrupted()) return Error{"interrupted"};
      if (auto s = start_tunnel_end(tunnel, end); !s) return Error{"tunnel " + tunnel.name + ": " + s.message()};
    }
  return Status::success();
}

Status Lab::add_routes() {
  for (const RoutePlan& route : plan_.routes) {
    Argv argv{"ip", "-n", route.namespace_name, "route", "replace", route.prefix.to_string()};
    for (const IpAddress& gateway : route.gateways)
      argv.insert(argv.end(), {"nexthop", "via", gateway.to_string(), "dev", route.interface});
    if (auto r = run_command(argv); !r) return Error{r.message()};
  }
  return Status::success();
}

Result<ProcessId> Lab::start_process(const std::string& role, const std::string& node, const std::string& name,
                                     const std::string& namespace_name, const Argv& argv,
                                     const std::string& stdout_path) {
  auto process = spawn_process(in_namespace(namespace_name, argv), log_file(name), stdout_path);
  if (!process) return process;
  state_.remove_process(role, name);
  state_.processes.push_back({role, node, name, namespace_name, *process});
  if (auto s = record(); !s) return Error{s.message()};
  return process;
}

void Lab::stop_recorded_process(const std::string& role, const std::string& name, bool crash, int grace_ms) {
  LabProcess* process = state_.find_process(role, name);
  if (!process) return;
  if (crash)
    kill_process(process->id);
  else
    stop_process(process->id, grace_ms);
  state_.remove_process(role, name);
  (void)record();
}

Status Lab::start_daemon(const std::string& router) {
  const config::RouterConfig* config = topology_.find_router(router);
  if (!config) return Error{"no router named " + router};
  if (config->managed())
    return Error{"router " + router + ": the lab does not run provider-managed gateways (" +
                 config::gateway_profile_name(config->profile) + ") yet"};
  const NamespacePlan* ns = plan_.find_namespace_of(router);
  if (!ns) return Error{"router " + router + " has no namespace in the lab"};
  if (config->daemon == config::DaemonKind::bird) return start_bird(*config, ns->name);
  if (config->daemon == config::DaemonKind::frr) return start_frr(*config, ns->name);
  std::error_code ec;
  if (options_.halinkd_path.find('/') != std::string::npos && access(options_.halinkd_path.c_str(), X_OK) != 0)
    return Error{"router " + router + ": " + options_.halinkd_path + " is not an executable halinkd (--halinkd PATH)"};
  fs::remove(control_socket(router), ec);
  auto process = start_process("halinkd", router, router, ns->name,
                               {options_.halinkd_path, "-c", directory() + "/topology.yaml", "--node", router, "--control",
                                control_socket(router)});
  if (!process) return Error{process.message()};
  return Status::success();
}

void Lab::stop_daemon(const std::string& router, bool crash) {
  std::vector<std::pair<std::string, std::string>> daemons;  // role, name
  for (const LabProcess& p : state_.processes)
    if (p.node == router && p.role != "wireguard-go" && p.role != "probe") daemons.emplace_back(p.role, p.name);
  for (auto it = daemons.rbegin(); it != daemons.rend(); ++it) stop_recorded_process(it->first, it->second, crash);
}

Status Lab::change_topology(const std::string& path, const config::Topology& topology,
                            const std::vector<std::string>& routers) {
  std::error_code ec;
  std::string link = directory() + "/topology.yaml";
  std::string temporary = link + ".new";
  fs::remove(temporary, ec);
  fs::create_symlink(fs::absolute(path, ec), temporary, ec);
  if (!ec) fs::rename(temporary, link, ec);
  if (ec) return Error{"cannot point " + link + " at " + path + ": " + ec.message()};
  std::string source = topology_.source_file;
  topology_ = topology;
  topology_.source_file = source;
  for (const std::string& router : routers) {
    auto reply = runtime::control_request(control_socket(router), {{"command", "reload"}});
    if (!reply) return Error{"reload of " + router + ": " + reply.message()};
    if (!reply->value("ok", false))
      return Error{"reload of " + router + " refused: " + reply->value("error", std::string())};
  }
  return Status::success();
}

std::vector<std::string> Lab::router_interfaces(const std::string& router) const {
  std::vector<std::string> interfaces;
  const NamespacePlan* ns = plan_.find_namespace_of(router);
  if (!ns) return interfaces;
  for (const VethPlan& link : plan_.links)
    if (link.a_namespace == ns->name) interfaces.push_back(link.a_interface);
  for (const TunnelPlan& tunnel : plan_.tunnels)
    for (const WireGuardEnd& end : tunnel.ends)
      if (end.router == router) interfaces.push_back(end.interface);
  return interfaces;
}

Status Lab::set_link(const std::string& namespace_name, const std::string& interface, bool up) const {
  if (auto r = run_command({"ip", "-n", namespace_name, "link", "set", interface, up ? "up" : "down"}); !r)
    return Error{r.message()};
  return Status::success();
}

}  // namespace halink::lab
