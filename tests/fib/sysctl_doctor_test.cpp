#include "fib/sysctl_doctor.h"

#include <gtest/gtest.h>

#include <map>

namespace halink::fib {
namespace {

class FakeProcSys {
public:
  FakeProcSys() {
    values_ = {{"net/ipv4/ip_forward", "1\n"},
               {"net/ipv4/fib_multipath_hash_policy", "1\n"},
               {"net/ipv4/conf/all/rp_filter", "0\n"},
               {"net/ipv4/conf/wg0/rp_filter", "2\n"},
               {"net/ipv4/conf/all/ignore_routes_with_linkdown", "1\n"},
               {"net/ipv4/nexthop_compat_mode", "0\n"},
               {"net/ipv6/conf/all/forwarding", "1\n"},
               {"net/ipv6/fib_multipath_hash_policy", "1\n"},
               {"net/ipv6/conf/all/ignore_routes_with_linkdown", "1\n"}};
  }
  void set(const std::string& path, const std::string& value) { values_[path] = value + "\n"; }
  void remove(const std::string& path) { values_.erase(path); }
  SysctlReader reader() const {
    return [this](std::string_view path) -> std::optional<std::string> {
      auto it = values_.find(std::string(path));
      if (it == values_.end()) return std::nullopt;
      return it->second;
    };
  }

private:
  std::map<std::string, std::string> values_;
};

DoctorOptions tunnels(std::vector<std::string> names) {
  DoctorOptions options;
  options.tunnel_interfaces = std::move(names);
  return options;
}

TEST(SysctlDoctor, HealthyRouterHasNoFindings) {
  FakeProcSys sys;
  EXPECT_TRUE(check_sysctls(tunnels({"wg0"}), sys.reader()).empty());
}

TEST(SysctlDoctor, ForwardingOffIsAnErrorWithTheCommand) {
  FakeProcSys sys;
  sys.set("net/ipv4/ip_forward", "0");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].setting, "net.ipv4.ip_forward");
  EXPECT_EQ(findings[0].current, "0");
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.ip_forward=1");
}

TEST(SysctlDoctor, HashPolicyZeroAsksForLayerFour) {
  FakeProcSys sys;
  sys.set("net/ipv4/fib_multipath_hash_policy", "0");
  sys.set("net/ipv6/fib_multipath_hash_policy", "0");
  auto findings = check_sysctls(tunnels({}), sys.reader());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  EXPECT_EQ(findings[1].fix, "sysctl -w net.ipv6.fib_multipath_hash_policy=1");
}

TEST(SysctlDoctor, StrictRpFilterOnTheInterface) {
  FakeProcSys sys;
  sys.set("net/ipv4/conf/wg0/rp_filter", "1");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].setting, "net.ipv4.conf.wg0.rp_filter");
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.conf.wg0.rp_filter=2");
}

TEST(SysctlDoctor, StrictRpFilterOnAllOverridesALooseInterface) {
  // Effective value is max(all, interface): all=1 with wg0=0 is still strict.
  FakeProcSys sys;
  sys.set("net/ipv4/conf/all/rp_filter", "1");
  sys.set("net/ipv4/conf/wg0/rp_filter", "0");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].current, "1 (effective)");
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.conf.all.rp_filter=2");
}

TEST(SysctlDoctor, BothStrictNeedBothFixed) {
  FakeProcSys sys;
  sys.set("net/ipv4/conf/all/rp_filter", "1");
  sys.set("net/ipv4/conf/wg0/rp_filter", "1");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.conf.all.rp_filter=2 && sysctl -w net.ipv4.conf.wg0.rp_filter=2");
}

TEST(SysctlDoctor, LooseAllWithStrictInterfaceIsFine) {
  // max(2, 1) = 2: loose.
  FakeProcSys sys;
  sys.set("net/ipv4/conf/all/rp_filter", "2");
  sys.set("net/ipv4/conf/wg0/rp_filter", "1");
  EXPECT_TRUE(check_sysctls(tunnels({"wg0"}), sys.reader()).empty());
}

TEST(SysctlDoctor, DottedInterfaceNameUsesSlashInTheCommand) {
  FakeProcSys sys;
  sys.set("net/ipv4/conf/eth0.100/rp_filter", "1");
  auto findings = check_sysctls(tunnels({"eth0.100"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.conf.eth0/100.rp_filter=2");
}

TEST(SysctlDoctor, MissingTunnelInterfaceIsAWarningWithoutAFix) {
  FakeProcSys sys;
  auto findings = check_sysctls(tunnels({"wg9"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].current, "missing");
  EXPECT_TRUE(findings[0].fix.empty());
}

TEST(SysctlDoctor, IgnoreRoutesWithLinkdown) {
  FakeProcSys sys;
  sys.set("net/ipv4/conf/all/ignore_routes_with_linkdown", "0");
  sys.set("net/ipv6/conf/all/ignore_routes_with_linkdown", "0");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.conf.all.ignore_routes_with_linkdown=1");
  EXPECT_EQ(findings[1].fix,
            "sysctl -w net.ipv6.conf.all.ignore_routes_with_linkdown=1 && "
            "sysctl -w net.ipv6.conf.default.ignore_routes_with_linkdown=1");
  // Set on the tunnel itself is enough.
  sys.set("net/ipv4/conf/wg0/ignore_routes_with_linkdown", "1");
  EXPECT_EQ(check_sysctls(tunnels({"wg0"}), sys.reader()).size(), 1u);
}

TEST(SysctlDoctor, NexthopCompatModeMakesFailoverCostPerRoute) {
  FakeProcSys sys;
  sys.set("net/ipv4/nexthop_compat_mode", "1");
  auto findings = check_sysctls(tunnels({"wg0"}), sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].fix, "sysctl -w net.ipv4.nexthop_compat_mode=0");
  sys.remove("net/ipv4/nexthop_compat_mode");  // older kernels: nothing to say
  EXPECT_TRUE(check_sysctls(tunnels({"wg0"}), sys.reader()).empty());
}

TEST(SysctlDoctor, FamilyNotUsedIsNotChecked) {
  FakeProcSys sys;
  sys.remove("net/ipv6/conf/all/forwarding");
  DoctorOptions options = tunnels({"wg0"});
  options.ipv6 = false;
  EXPECT_TRUE(check_sysctls(options, sys.reader()).empty());
  options.ipv6 = true;
  auto findings = check_sysctls(options, sys.reader());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].current, "missing");
  EXPECT_NE(to_string(findings[0]).find("net.ipv6.conf.all.forwarding"), std::string::npos);
}

TEST(SysctlDoctor, RealProcSysCanBeRead) {
  auto value = proc_sys_reader()("net/ipv4/ip_forward");
  ASSERT_TRUE(value.has_value());
  EXPECT_FALSE(proc_sys_reader()("net/ipv4/no_such_setting").has_value());
}

}  // namespace
}  // namespace halink::fib
