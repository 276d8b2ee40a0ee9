# Install rules and the Debian packages (CPack's DEB generator), from the version in project():
#   cmake --build build --target package     (or scripts/package.sh, which builds only what the
#                                              packages hold)
# Two packages, one per component:
#   datto-rmm-exporter  the exporter, /etc/datto-rmm-exporter/config.yaml and
#                       /etc/default/datto-rmm-exporter (conffiles), the hardened systemd unit,
#                       the dashboards and rules under /usr/share/datto-rmm-exporter/, the docs
#   datto-rmm-sim       the Datto RMM API simulator, apart so that a production host does not
#                       carry a fake Datto; useful to try the exporter without an account
# Dependencies are computed by dpkg-shlibdeps from the libraries the binaries load, so a package
# built on Debian 12 depends on Debian 12's library packages (its version says ~deb12).
include(GNUInstallDirs)

install(TARGETS datto-rmm-exporter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT exporter)
install(TARGETS datto-rmm-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT simulator)

# Absolute destinations: /etc and the unit directory are where they are whatever the prefix.
install(FILES packaging/config.yaml DESTINATION /etc/datto-rmm-exporter COMPONENT exporter)
install(FILES packaging/default DESTINATION /etc/default RENAME datto-rmm-exporter
        COMPONENT exporter)
install(FILES packaging/datto-rmm-exporter.service DESTINATION /usr/lib/systemd/system
        COMPONENT exporter)
install(DIRECTORY dashboards/ DESTINATION ${CMAKE_INSTALL_DATADIR}/datto-rmm-exporter/dashboards
        COMPONENT exporter FILES_MATCHING PATTERN "*.json" PATTERN "*.yml" PATTERN "*.yaml")
install(DIRECTORY rules/ DESTINATION ${CMAKE_INSTALL_DATADIR}/datto-rmm-exporter/rules
        COMPONENT exporter FILES_MATCHING PATTERN "*.yml")
install(FILES README.md CHANGELOG.md config.example.yaml docs/install.md docs/configuration.md
              docs/metrics.md docs/alerting.md docs/dashboards.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/datto-rmm-exporter COMPONENT exporter)
install(FILES packaging/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/datto-rmm-exporter COMPONENT exporter)
install(FILES packaging/copyright docs/simulator.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/datto-rmm-sim COMPONENT simulator)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME datto-rmm-exporter)
set(CPACK_PACKAGE_VENDOR "datto-rmm-exporter authors")
set(CPACK_PACKAGE_CONTACT "datto-rmm-exporter maintainers <maintainers@datto-rmm-exporter.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_COMPONENTS_ALL exporter simulator)
set(CPACK_DEB_COMPONENT_INSTALL ON)

# The Debian revision names the release the binaries were linked against: 0.2.0-1~deb12.
set(CPACK_DEBIAN_PACKAGE_RELEASE "1")
set(_drmm_os_version_id "")
if(EXISTS /etc/os-release)
  file(STRINGS /etc/os-release _drmm_os_version_id REGEX "^VERSION_ID=")
  string(REGEX REPLACE "^VERSION_ID=\"?([0-9]+).*" "\\1" _drmm_os_version_id
                       "${_drmm_os_version_id}")
endif()
if(_drmm_os_version_id MATCHES "^[0-9]+$")
  set(CPACK_DEBIAN_PACKAGE_RELEASE "1~deb${_drmm_os_version_id}")
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_EXPORTER_PACKAGE_NAME datto-rmm-exporter)
set(CPACK_COMPONENT_EXPORTER_DESCRIPTION "Prometheus exporter for Datto RMM
Polls the Datto RMM REST API v2 in the background within a per-account rate budget and
serves per-site gauges (open alerts, devices online and offline, patch and antivirus
state) on /metrics. Runs as a hardened systemd service; Grafana dashboards and Prometheus
rules are in /usr/share/datto-rmm-exporter.")
# The Datto API is HTTPS with certificate verification: the trust store must be there.
set(CPACK_DEBIAN_EXPORTER_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_EXPORTER_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/conffiles;${PROJECT_SOURCE_DIR}/packaging/debian/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/prerm;${PROJECT_SOURCE_DIR}/packaging/debian/postrm")

set(CPACK_DEBIAN_SIMULATOR_PACKAGE_NAME datto-rmm-sim)
set(CPACK_DEBIAN_SIMULATOR_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_SIMULATOR_DESCRIPTION "Datto RMM API v2 simulator for datto-rmm-exporter
Serves a generated Datto RMM account with rate limits, churn and faults on demand, to try
or test datto-rmm-exporter without a Datto account. Not for production hosts.")

include(CPack)
