// halink: the operator's command line. Argument parsing and wiring only.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "config/defaults.h"
#include "design_commands.h"
#include "probe_commands.h"
#include "lab_commands.h"
#include "fib/sysctl_doctor.h"
#include "runtime/control_socket.h"
#include "runtime/show_text.h"

using halink::runtime::control_request;

namespace {

int print_reply(const halink::Result<nlohmann::json>& reply, bool json,
                std::string (*render)(const nlohmann::json&)) {
  if (!reply) {
    std::fprintf(stderr, "halink: %s\n", reply.message().c_str());
    return 1;
  }
  if (!reply->value("ok", false)) {
    std::fprintf(stderr, "halink: %s\n", reply->value("error", std::string("request failed")).c_str());
    return 1;
  }
  if (json || !render)
    std::cout << reply->dump(2) << "\n";
  else
    std::cout << render(*reply);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"halink: show and control halinkd; check, simulate and lab-test redundant VPN designs"};
  app.require_subcommand(1);
  std::string socket = halink::config::defaults::control_socket;
  bool json = false;
  int exit_code = 0;
  app.add_option("-s,--socket", socket, "control socket of halinkd")->envname("HALINK_SOCKET");
  app.add_flag("--json", json, "print the daemon's JSON reply");
  app.fallthrough();

  // ---- show
  auto* show = app.add_subcommand("show", "show the state of a running halinkd");
  show->require_subcommand(1);
  show->fallthrough();
  struct Show {
    const char* name;
    const char* help;
    std::string (*render)(const nlohmann::json&);
  };
  std::string show_name, prefix, family, received_from, advertised_to;
  for (Show s : {Show{"summary", "BGP summary: neighbours, state, up/down time, prefixes per family",
                      halink::runtime::render_summary},
                 Show{"neighbors", "BGP neighbours; with NAME its capabilities, timers, errors, counters",
                      halink::runtime::render_neighbors},
                 Show{"routes", "Loc-RIB (best and ECMP marked), or a neighbour's Adj-RIB-In/-Out",
                      halink::runtime::render_routes},
                 Show{"fib", "what halinkd installed in the kernel", halink::runtime::render_fib},
                 Show{"status", "router identity and counts", halink::runtime::render_status},
                 Show{"bfd", "BFD sessions: state, diagnostics, negotiated timers, counters",
                      halink::runtime::render_bfd}}) {
    auto* sub = show->add_subcommand(s.name, s.help)->fallthrough();
    if (std::string(s.name) == "neighbors") sub->add_option("name", show_name, "only this neighbour, in detail");
    if (std::string(s.name) == "routes") {
      sub->add_option("prefix", prefix, "a prefix (exact match) or an address (longest match)");
      sub->add_option("--family", family, "only this address family")->check(CLI::IsMember({"ipv4", "ipv6"}));
      auto* in = sub->add_option("--received-from", received_from, "the neighbour's Adj-RIB-In");
      auto* out = sub->add_option("--advertised-to", advertised_to, "the neighbour's Adj-RIB-Out, as sent");
      in->excludes(out);
    }
    sub->callback([&, s] {
      nlohmann::json request{{"command", "show"}, {"what", s.name}};
      if (!show_name.empty()) request["name"] = show_name;
      if (!prefix.empty()) request["prefix"] = prefix;
      if (!family.empty()) request["family"] = family;
      if (!received_from.empty()) request["received_from"] = received_from;
      if (!advertised_to.empty()) request["advertised_to"] = advertised_to;
      exit_code = print_reply(control_request(socket, request), json, s.render);
    });
  }

  // ---- neighbor NAME ACTION
  auto* neighbor = app.add_subcommand("neighbor", "shut down, enable, reset or refresh one neighbour");
  std::string name, action, direction, message;
  bool soft = false;
  neighbor->add_option("name", name, "neighbour name as in the configuration")->required();
  neighbor->add_option("action", action, "shutdown | enable | reset | refresh")
      ->required()
      ->check(CLI::IsMember({"shutdown", "enable", "reset", "refresh"}));
  neighbor->add_option("direction", direction,
                       "refresh in: ROUTE-REFRESH or re-run import; out: re-send the Adj-RIB-Out (default in)")
      ->check(CLI::IsMember({"in", "out"}));
  neighbor->add_flag("--soft", soft, "reset: refresh both ways instead of dropping the session");
  neighbor->add_option("-m,--message", message, "RFC 9003 shutdown communication sent to the peer");
  neighbor->fallthrough();
  neighbor->callback([&] {
    nlohmann::json request{{"command", "neighbor"}, {"name", name}, {"action", action}, {"message", message}};
    if (!direction.empty()) request["direction"] = direction;
    if (soft) request["soft"] = true;
    exit_code = print_reply(control_request(socket, request), json,
                            [](const nlohmann::json& r) { return r.value("done", std::string("ok")) + "\n"; });
  });

  // ---- reload
  auto* reload = app.add_subcommand("reload", "apply the configuration file again (a bad one is refused)");
  reload->fallthrough();
  reload->callback([&] {
    exit_code = print_reply(control_request(socket, {{"command", "reload"}}), json,
                            [](const nlohmann::json&) { return std::string("configuration applied\n"); });
  });

  // ---- doctor
  auto* doctor = app.add_subcommand("doctor", "check the kernel settings this design needs");
  std::vector<std::string> interfaces;
  doctor->add_option("-i,--interface", interfaces, "tunnel interfaces (rp_filter must allow ECMP return traffic)");
  doctor->callback([&] {
    halink::fib::DoctorOptions options;
    options.tunnel_interfaces = interfaces;
    auto findings = halink::fib::check_sysctls(options, halink::fib::proc_sys_reader());
    for (auto& f : findings) std::cout << halink::fib::to_string(f) << "\n";
    if (findings.empty()) std::cout << "all kernel settings fit a redundant ECMP design\n";
    exit_code = findings.empty() ? 0 : 1;
  });

  add_design_commands(app, exit_code);
  add_probe_commands(app, exit_code);
  add_lab_commands(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
