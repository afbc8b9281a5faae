// `halink doctor`: the kernel settings the redundant-tunnel design depends on,
// each finding with the exact command that fixes it.
//
// /proc/sys is read through an injected function, so the checks are tested
// with a fake and the daemon can run them against the real file system.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace halink::fib {

enum class Severity { error, warning };

struct Finding {
  Severity severity;
  std::string setting;  // "net.ipv4.ip_forward"
  std::string current;  // value read, or "missing"
  std::string wanted;   // "1", "0 or 2"
  std::string why;
  std::string fix;  // "sysctl -w net.ipv4.ip_forward=1"; empty when no sysctl fixes it
};

struct DoctorOptions {
  std::vector<std::string> tunnel_interfaces;  // rp_filter must not drop ECMP return traffic here
  bool ipv4 = true;
  bool ipv6 = true;
};

// Reads one file under /proc/sys, e.g. "net/ipv4/ip_forward"; nullopt when it
// does not exist. The value is returned as read (trailing newline allowed).
using SysctlReader = std::function<std::optional<std::string>(std::string_view path)>;

std::vector<Finding> check_sysctls(const DoctorOptions& options, const SysctlReader& read);

// The reader for the running system: /proc/sys/<path>.
SysctlReader proc_sys_reader();

std::string to_string(const Finding& finding);  // one line for a terminal

}  // namespace halink::fib
