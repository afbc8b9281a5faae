#include "fib/sysctl_doctor.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace halink::fib {
namespace {

std::string trimmed(std::string value) {
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return value;
}

std::optional<long> read_number(const SysctlReader& read, const std::string& path) {
  std::optional<std::string> text = read(path);
  if (!text) return std::nullopt;
  std::string value = trimmed(*text);
  if (value.empty()) return std::nullopt;
  try {
    size_t used = 0;
    long number = std::stol(value, &used);
    if (used != value.size()) return std::nullopt;
    return number;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// sysctl(8) writes the path with dots; an interface name containing a dot
// (a VLAN such as eth0.100) is written with a slash in its place.
std::string setting_name(std::string_view path) {
  std::string name(path);
  std::replace(name.begin(), name.end(), '.', '\x01');
  std::replace(name.begin(), name.end(), '/', '.');
  std::replace(name.begin(), name.end(), '\x01', '/');
  return name;
}

std::string value_text(const std::optional<long>& value) { return value ? std::to_string(*value) : "missing"; }

class Doctor {
public:
  explicit Doctor(const SysctlReader& read) : read_(read) {}

  void require_value(const std::string& path, long wanted, Severity severity, std::string why) {
    std::optional<long> value = read_number(read_, path);
    if (value == wanted) return;
    std::string setting = setting_name(path);
    findings_.push_back({severity, setting, value_text(value), std::to_string(wanted), std::move(why),
                         value ? "sysctl -w " + setting + "=" + std::to_string(wanted) : ""});
  }

  // The kernel applies max(conf.all.rp_filter, conf.<interface>.rp_filter)
  // (Documentation/networking/ip-sysctl.rst), so both may need lowering; 2
  // (loose) keeps the spoofing check for addresses with no route at all.
  void check_rp_filter(const std::string& interface) {
    std::string interface_path = "net/ipv4/conf/" + interface + "/rp_filter";
    std::optional<long> own = read_number(read_, interface_path);
    if (!own) {
      findings_.push_back({Severity::warning, setting_name(interface_path), "missing", "0 or 2",
                           "tunnel interface " + interface + " does not exist (yet); rp_filter not checked", ""});
      return;
    }
    std::optional<long> all = read_number(read_, "net/ipv4/conf/all/rp_filter");
    long effective = std::max(own.value_or(0), all.value_or(0));
    if (effective != 1) return;
    std::string why = "strict reverse-path filtering (effective " + std::to_string(effective) + " = max(all " +
                      value_text(all) + ", " + interface + " " + value_text(own) +
                      ")) drops return traffic that arrives on a different ECMP tunnel than the route back";
    std::string fix;
    std::string current;
    for (const auto& [path, value] : {std::pair{std::string("net/ipv4/conf/all/rp_filter"), all},
                                      std::pair{interface_path, own}}) {
      if (value != 1) continue;
      if (!fix.empty()) fix += " && ";
      fix += "sysctl -w " + setting_name(path) + "=2";
    }
    findings_.push_back({Severity::error, setting_name(interface_path), std::to_string(effective) + " (effective)",
                         "0 or 2", std::move(why), std::move(fix)});
  }

  // IN_DEV_ORCONF: either "all" or the interface's own setting enables it.
  void check_ignore_linkdown(const std::string& family_dir, const std::vector<std::string>& interfaces) {
    std::string all_path = "net/" + family_dir + "/conf/all/ignore_routes_with_linkdown";
    std::optional<long> all = read_number(read_, all_path);
    if (all == 1) return;
    bool every_tunnel_set = !interfaces.empty();
    for (const std::string& interface : interfaces) {
      if (read_number(read_, "net/" + family_dir + "/conf/" + interface + "/ignore_routes_with_linkdown") != 1)
        every_tunnel_set = false;
    }
    if (every_tunnel_set) return;
    std::string fix = all ? "sysctl -w " + setting_name(all_path) + "=1" : "";
    // IPv6 reads only the interface's own value; writing "all" copies to the
    // interfaces that exist, "default" covers tunnels created later.
    if (all && family_dir == "ipv6")
      fix += " && sysctl -w " + setting_name("net/ipv6/conf/default/ignore_routes_with_linkdown") + "=1";
    findings_.push_back({Severity::warning, setting_name(all_path), value_text(all), "1",
                         "without it the kernel keeps forwarding over a next hop whose interface is down "
                         "until the routing daemon reacts",
                         std::move(fix)});
  }

  // With compat mode on (the kernel's default) every change of a nexthop
  // group also sends a notification for each route using it, so re-steering
  // N routes costs O(N) in the kernel after all (bench/fib_bench.cpp: about
  // 0.3-0.5 s for 100,000 routes, against well under 10 ms with it off).
  // Kernels before 5.9 have no such setting and nothing to fix.
  void check_nexthop_compat_mode() {
    std::string path = "net/ipv4/nexthop_compat_mode";
    std::optional<long> value = read_number(read_, path);
    if (!value || *value == 0) return;
    findings_.push_back({Severity::warning, setting_name(path), std::to_string(*value), "0",
                         "the kernel notifies every route using a nexthop group when the group changes, so a "
                         "failover costs time in proportion to the routes; with 0, `ip route` shows routes as "
                         "'nhid N' (see `ip nexthop`)",
                         "sysctl -w " + setting_name(path) + "=0"});
  }

  std::vector<Finding> take() { return std::move(findings_); }

private:
  const SysctlReader& read_;
  std::vector<Finding> findings_;
};

}  // namespace

std::vector<Finding> check_sysctls(const DoctorOptions& options, const SysctlReader& read) {
  Doctor doctor(read);
  if (options.ipv4) {
    doctor.require_value("net/ipv4/ip_forward", 1, Severity::error,
                         "the router must forward IPv4 packets between the LAN and the tunnels");
    doctor.require_value("net/ipv4/fib_multipath_hash_policy", 1, Severity::warning,
                         "ECMP over tunnels spreads flows only when the hash includes ports (policy 1, layer 4); "
                         "with policy 0 all traffic between two hosts takes one tunnel");
    for (const std::string& interface : options.tunnel_interfaces) doctor.check_rp_filter(interface);
    doctor.check_ignore_linkdown("ipv4", options.tunnel_interfaces);
    doctor.check_nexthop_compat_mode();
  }
  if (options.ipv6) {
    doctor.require_value("net/ipv6/conf/all/forwarding", 1, Severity::error,
                         "the router must forward IPv6 packets between the LAN and the tunnels");
    doctor.require_value("net/ipv6/fib_multipath_hash_policy", 1, Severity::warning,
                         "IPv6 ECMP spreads flows only when the hash includes ports (policy 1, layer 4)");
    doctor.check_ignore_linkdown("ipv6", options.tunnel_interfaces);
  }
  return doctor.take();
}

SysctlReader proc_sys_reader() {
  return [](std::string_view path) -> std::optional<std::string> {
    std::ifstream file("/proc/sys/" + std::string(path));
    if (!file) return std::nullopt;
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
  };
}

std::string to_string(const Finding& finding) {
  std::string text = std::string(finding.severity == Severity::error ? "error" : "warning") + ": " + finding.setting +
                     " is " + finding.current + ", want " + finding.wanted + ": " + finding.why;
  if (!finding.fix.empty()) text += "\n  fix: " + finding.fix;
  return text;
}

}  // namespace halink::fib
