# The Debian packages (`ci/package`: CPack's DEB generator), one per install component:
#   miglint      miglint, miglint-runner, miglint-lsp, the man page, the shell completions, the docs
#   miglint-cpp  the C++ front end (miglint-cpp-front-end) alone: the one package that pulls Clang, so that
#                users who lint only SQL never install it
# Library dependencies are computed by dpkg-shlibdeps from the binaries, not listed by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME miglint)
set(CPACK_PACKAGE_VENDOR "miglint")
# Who publishes the packages and where the project lives: a release passes its own
# (-DMIGLINT_PACKAGE_MAINTAINER=... -DMIGLINT_PACKAGE_HOMEPAGE=https://...); without a homepage the field
# is left out rather than made up.
set(MIGLINT_PACKAGE_MAINTAINER "miglint maintainers <maintainers@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the Debian packages")
set(MIGLINT_PACKAGE_HOMEPAGE "" CACHE STRING "Homepage field of the Debian packages (empty: none)")
set(CPACK_PACKAGE_CONTACT "${MIGLINT_PACKAGE_MAINTAINER}")
if(MIGLINT_PACKAGE_HOMEPAGE)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${MIGLINT_PACKAGE_HOMEPAGE}")
endif()
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL miglint)
if(TARGET miglint-cpp-front-end)
  list(APPEND CPACK_COMPONENTS_ALL cpp)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # miglint_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_MIGLINT_PACKAGE_NAME miglint)
# Each package's Description: its first line is the summary; CPack wraps the rest.
set(CPACK_COMPONENT_MIGLINT_DESCRIPTION
    "static safety analyzer and runner for PostgreSQL migrations
miglint reads migration files with PostgreSQL's own parser and reports, before merge, which statements \
will lock production or lose data, each at its file, line and column. `miglint run` applies vetted \
migrations one statement at a time with lock and statement timeouts.

Install miglint-cpp as well to lint the SQL that C++ sources send.")

set(CPACK_DEBIAN_CPP_PACKAGE_NAME miglint-cpp)
set(CPACK_COMPONENT_CPP_DEPENDS miglint)  # the same version: "miglint (= 0.1.0)"
# Not a library, so dpkg-shlibdeps cannot see it: the front end parses with Clang's builtin headers
# (stddef.h...) from the resource directory baked into it, which this package holds.
set(CPACK_DEBIAN_CPP_PACKAGE_DEPENDS "libclang-common-${MIGLINT_CLANG_VERSION}-dev")
set(CPACK_COMPONENT_CPP_DESCRIPTION
    "C++ front end of miglint (Clang ${MIGLINT_CLANG_VERSION})
The program miglint starts when it lints C++ sources: it finds the SQL that calls such as \
pqxx::work::exec send, and miglint checks it as it checks migration files. It depends on Clang's \
libraries, which miglint itself never needs.")

include(CPack)
