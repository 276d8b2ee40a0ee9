#include "exporter/web/landing_page.h"

#include <cmath>

namespace drmm {
namespace {

std::string Ago(double now, double then) {
  const double seconds = std::max(0.0, now - then);
  if (seconds < 120) return std::to_string(static_cast<long>(std::lround(seconds))) + " s ago";
  if (seconds < 7200) return std::to_string(static_cast<long>(seconds / 60)) + " min ago";
  return std::to_string(static_cast<long>(seconds / 3600)) + " h ago";
}

std::string CollectorCell(const CollectorStatus& status, double now) {
  if (!status.enabled) return "disabled";
  if (!status.ran) return "not run yet";
  std::string cell = status.last_success ? "ok" : "<b>failing</b>";
  if (status.last_success_unix) {
    cell += " (last success " + Ago(now, *status.last_success_unix) + ")";
  } else {
    cell += " (never succeeded)";
  }
  return cell;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderLandingPage(const LandingPageInfo& info, const Snapshot& snapshot) {
  const std::string path = HtmlEscape(info.telemetry_path);
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Datto RMM Exporter</title>"
      "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}"
      "</style></head><body>\n<h1>Datto RMM Exporter</h1>\n<p>Version " +
      HtmlEscape(info.version) + " (revision " + HtmlEscape(info.revision) + ")</p>\n<ul>" +
      "<li><a href=\"" + path + "\">" + path +
      "</a>: metrics (cached; the exporter polls "
      "Datto in the background)</li>" +
      "<li><a href=\"/-/healthy\">/-/healthy</a></li><li><a href=\"/-/ready\">/-/ready</a>: "
      "ready once every account has been polled successfully</li></ul>\n"
      "<h2>Accounts</h2>\n<table><tr><th>account</th><th>API</th>";
  for (const auto name : kCollectorNames) html += "<th>" + std::string(name) + "</th>";
  html += "</tr>\n";
  for (const auto& account : snapshot.accounts) {
    html += "<tr><td>" + HtmlEscape(account.account) + "</td><td>" +
            (account.up ? "up" : "<b>down</b>") + "</td>";
    for (const auto& status : account.collectors) {
      html += "<td>" + CollectorCell(status, info.now_unix) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace drmm
