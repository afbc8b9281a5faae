#include "sim/forwarding_table.h"

#include <gtest/gtest.h>

namespace halink::sim {
namespace {

Prefix pfx(const char* text) { return Prefix::parse(text).value(); }
IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }
fib::NextHop hop(const char* gateway, const char* interface, uint16_t weight = 1) {
  return fib::NextHop{ip(gateway), interface, 0, weight};
}

TEST(ForwardingTable, LongestPrefixWinsAndLocalDelivers) {
  ForwardingTable table;
  int notified = 0;
  table.set_observer([&] { ++notified; });
  const fib::RouteChange changes[] = {
      {pfx("10.0.0.0/8"), {hop("169.254.0.2", "wg0")}},
      {pfx("10.2.0.0/16"), {hop("169.254.1.2", "wg1"), hop("169.254.0.2", "wg0")}},
  };
  ASSERT_TRUE(table.apply(changes).ok());
  table.add_local(pfx("10.1.0.0/16"));
  EXPECT_EQ(notified, 2);

  auto m = table.lookup(ip("10.2.3.4"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->prefix, pfx("10.2.0.0/16"));
  ASSERT_EQ(m->next_hops.size(), 2u);
  EXPECT_EQ(m->next_hops[0].interface, "wg0") << "next hops are kept sorted";
  EXPECT_EQ(table.lookup(ip("10.9.0.1"))->prefix, pfx("10.0.0.0/8"));
  EXPECT_TRUE(table.lookup(ip("10.1.7.7"))->local);
  EXPECT_FALSE(table.lookup(ip("192.0.2.1")));
  EXPECT_FALSE(table.lookup(ip("2001:db8::1")));
  EXPECT_EQ(table.routes().size(), 2u);
}

TEST(ForwardingTable, WithdrawAndRemoveNextHop) {
  ForwardingTable table;
  const fib::RouteChange add[] = {
      {pfx("10.2.0.0/16"), {hop("169.254.0.2", "wg0"), hop("169.254.1.2", "wg1")}},
      {pfx("10.3.0.0/16"), {hop("169.254.0.2", "wg0")}},
  };
  ASSERT_TRUE(table.apply(add).ok());
  ASSERT_TRUE(table.remove_next_hop(hop("169.254.0.2", "wg0", 7)).ok());
  EXPECT_EQ(table.lookup(ip("10.2.0.1"))->next_hops.size(), 1u);
  EXPECT_FALSE(table.lookup(ip("10.3.0.1"))) << "a route losing its last next hop is gone";
  EXPECT_EQ(table.stats().routes_lost_with_last_next_hop, 1u);

  const fib::RouteChange withdraw[] = {{pfx("10.2.0.0/16"), {}}};
  ASSERT_TRUE(table.apply(withdraw).ok());
  EXPECT_FALSE(table.lookup(ip("10.2.0.1")));
  EXPECT_TRUE(table.routes().empty());
}

TEST(ForwardingTable, RemoveNextHopsViaAnInterface) {
  ForwardingTable table;
  const fib::RouteChange add[] = {
      {pfx("10.2.0.0/16"), {hop("169.254.0.2", "wg0"), hop("169.254.1.2", "wg1")}},
      {pfx("10.3.0.0/16"), {hop("169.254.0.6", "wg0")}},
  };
  ASSERT_TRUE(table.apply(add).ok());
  fib::Fib& as_fib = table;  // through the interface every FIB offers
  ASSERT_TRUE(as_fib.remove_next_hop(hop("192.0.2.1", "eth9")).ok()) << "unknown next hops are not an error";
  ASSERT_TRUE(table.remove_next_hops_via("wg0").ok());
  ASSERT_EQ(table.lookup(ip("10.2.0.1"))->next_hops.size(), 1u);
  EXPECT_EQ(table.lookup(ip("10.2.0.1"))->next_hops[0].interface, "wg1");
  EXPECT_FALSE(table.lookup(ip("10.3.0.1")));
}

TEST(ForwardingTable, ReplaceRoutesMirrorsAnotherFibAndKeepsLocals) {
  ForwardingTable table;
  table.add_local(pfx("10.1.0.0/16"));
  const fib::RouteChange add[] = {{pfx("10.2.0.0/16"), {hop("169.254.0.2", "wg0")}}};
  ASSERT_TRUE(table.apply(add).ok());
  const std::vector<fib::FibRoute> snapshot = {{pfx("10.3.0.0/16"), {hop("169.254.1.2", "wg1")}}};
  table.replace_routes(snapshot);
  EXPECT_EQ(table.routes(), snapshot);
  EXPECT_TRUE(table.lookup(ip("10.1.0.1"))->local);
  table.clear_routes();
  EXPECT_TRUE(table.routes().empty());
  EXPECT_EQ(table.local_prefixes(), std::vector<Prefix>{pfx("10.1.0.0/16")});
  table.remove_local(pfx("10.1.0.0/16"));
  EXPECT_FALSE(table.lookup(ip("10.1.0.1")));
}

TEST(ForwardingTable, Ipv6AndDefaultRoute) {
  ForwardingTable table;
  const fib::RouteChange add[] = {
      {pfx("::/0"), {hop("fe80::1", "wg0")}},
      {pfx("2001:db8:1::/48"), {hop("fe80::2", "wg1")}},
  };
  ASSERT_TRUE(table.apply(add).ok());
  EXPECT_EQ(table.lookup(ip("2001:db8:1::5"))->prefix, pfx("2001:db8:1::/48"));
  EXPECT_EQ(table.lookup(ip("2001:db8:2::5"))->prefix, pfx("::/0"));
  EXPECT_FALSE(table.lookup(ip("10.0.0.1")));
}

}  // namespace
}  // namespace halink::sim
