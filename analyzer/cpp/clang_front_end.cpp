// The C++ front end: finds the calls of query functions in a C++ file with Clang and recovers their
// SQL argument when it is a constant. Built into miglint-cpp-front-end (the only program that
// links Clang), which miglint starts only when it has C++ inputs. One translation unit on purpose:
// compiling Clang AST code is slow and memory-hungry.
#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Basic/Version.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Lexer.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "analyzer/cpp/clang_front_end.hpp"
#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/cpp/front_end.hpp"
#include "analyzer/cpp/token_fallback.hpp"

namespace miglint::cpp {

namespace {

namespace fs = std::filesystem;
namespace tooling = clang::tooling;

// ---------------------------------------------------------------------------------------------
// Compile commands: compile_commands.json when one is found (-p DIR, or walking up from the file),
// else defaults. Only the flags that change how the file parses are kept (include paths, macros,
// the language standard): a command written for g++ may hold flags Clang refuses, and output,
// dependency and optimisation flags do not matter for reading the file.

struct CompileSetup {
  std::vector<std::string> args;  // without the driver name and the file
  std::string directory;          // relative paths in `args` are relative to it
};

std::mutex g_databases_mutex;
std::map<std::string, std::shared_ptr<tooling::CompilationDatabase>> g_databases;  // by its directory

// The directory that holds the compilation database for `file`: -p, else the first directory
// walking up from the file with compile_commands.json or compile_flags.txt. Empty: none.
std::string database_directory(const std::string& file, const CppSettings& settings) {
  if (!settings.compile_commands_dir.empty()) {
    return settings.compile_commands_dir;
  }
  std::error_code error;
  for (fs::path dir = fs::path(file).parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "compile_commands.json", error) || fs::exists(dir / "compile_flags.txt", error)) {
      return dir.string();
    }
    if (dir == dir.parent_path()) {
      break;
    }
  }
  return {};
}

// One database per directory that holds one, loaded once and shared by the threads.
std::shared_ptr<tooling::CompilationDatabase> database_for(const std::string& file,
                                                           const CppSettings& settings) {
  std::string directory = database_directory(file, settings);
  if (directory.empty()) {
    return nullptr;
  }
  std::lock_guard lock(g_databases_mutex);
  auto it = g_databases.find(directory);
  if (it != g_databases.end()) {
    return it->second;
  }
  std::string error;
  std::unique_ptr<tooling::CompilationDatabase> found =
      tooling::CompilationDatabase::loadFromDirectory(directory, error);
  std::shared_ptr<tooling::CompilationDatabase> database;
  if (found) {
    // Headers and new files have no entry: borrow the command of the closest file that has one.
    database = tooling::inferMissingCompileCommands(std::move(found));
  }
  g_databases[directory] = database;
  return database;
}

bool is_header(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  return extension == ".h" || extension == ".hpp" || extension == ".hh" || extension == ".hxx";
}

// Keeps the flags of a compile command that change how the file parses.
std::vector<std::string> parsing_flags(const std::vector<std::string>& command) {
  std::vector<std::string> kept;
  static const std::set<std::string> with_value = {
      "-I", "-D", "-U", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-std", "-x"};
  for (std::size_t i = 1; i < command.size(); ++i) {
    const std::string& arg = command[i];
    if (with_value.contains(arg) && i + 1 < command.size()) {
      kept.push_back(arg);
      kept.push_back(command[++i]);
      continue;
    }
    for (const char* prefix : {"-I", "-D", "-U", "-std=", "-isystem", "-iquote", "-idirafter", "-nostdinc",
                               "-f(no-)exceptions", "-pthread", "--std="}) {
      if (arg.starts_with(prefix)) {
        kept.push_back(arg);
        break;
      }
    }
  }
  return kept;
}

CompileSetup compile_setup(const std::string& file, const CppSettings& settings) {
  CompileSetup setup;
  setup.directory = fs::path(file).parent_path().string();
  bool has_standard = false;
  if (std::shared_ptr<tooling::CompilationDatabase> database = database_for(file, settings)) {
    std::vector<tooling::CompileCommand> commands = database->getCompileCommands(file);
    if (!commands.empty()) {
      setup.directory = commands.front().Directory;
      std::vector<std::string> command = commands.front().CommandLine;
      // Drop the file itself (and whatever names it) from the command.
      std::erase_if(command,
                    [&](const std::string& arg) { return arg == commands.front().Filename || arg == file; });
      setup.args = parsing_flags(command);
    }
  }
  for (const std::string& arg : setup.args) {
    has_standard = has_standard || arg.starts_with("-std=") || arg == "-std";
  }
  if (!has_standard) {
    setup.args.push_back("-std=c++20");
  }
  if (is_header(file)) {
    setup.args.insert(setup.args.begin(), {"-x", "c++"});
  }
  return setup;
}

std::string resource_dir() {
  if (const char* dir = std::getenv("MIGLINT_CLANG_RESOURCE_DIR"); dir != nullptr && *dir) {
    return dir;
  }
  return MIGLINT_CLANG_RESOURCE_DIR;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: counted, never printed. (An IgnoringDiagConsumer would hide a missing header and
// with it the calls Clang could not read.)

class CountingDiagnostics : public clang::DiagnosticConsumer {
 public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error) {
      return;
    }
    ++errors_;
    if (!first_.empty()) {
      return;
    }
    llvm::SmallString<160> message;
    info.FormatDiagnostic(message);
    first_ = std::string(message.str());
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      const clang::SourceManager& sm = info.getSourceManager();
      clang::SourceLocation where = sm.getExpansionLoc(info.getLocation());
      if (sm.isInMainFile(where)) {
        first_ = std::to_string(sm.getExpansionLineNumber(where)) + ":" +
                 std::to_string(sm.getExpansionColumnNumber(where)) + ": " + first_;
      } else {
        // In a header: name it, and where the main file includes it.
        clang::PresumedLoc presumed = sm.getPresumedLoc(where);
        std::string header = presumed.isValid() ? std::string(presumed.getFilename()) + ":" +
                                                      std::to_string(presumed.getLine()) + ": "
                                                : std::string();
        clang::SourceLocation include = where;
        while (include.isValid() && !sm.isInMainFile(include)) {
          include = sm.getIncludeLoc(sm.getFileID(include));
        }
        std::string at = include.isValid() ? std::to_string(sm.getExpansionLineNumber(include)) + ":" +
                                                 std::to_string(sm.getExpansionColumnNumber(include))
                                           : std::string("1:1");
        first_ = at + ": in an included file: " + header + first_;
      }
    } else {
      first_ = "1:1: " + first_;
    }
  }
  unsigned errors() const { return errors_; }
  const std::string& first() const { return first_; }

 private:
  unsigned errors_ = 0;
  std::string first_;
};

// ---------------------------------------------------------------------------------------------
// Finding the calls.

// Why the call's SQL argument is what it is.
struct PendingCall {
  const clang::Expr* call = nullptr;
  const clang::Expr* argument = nullptr;
  const QueryFunction* function = nullptr;
  std::string function_name;
  std::optional<uint64_t> transaction;
  bool transaction_guessed = false;
  bool format_arguments = false;  // ExtractedCall::format_arguments
};

bool in_namespace(const clang::DeclContext* context, llvm::StringRef name) {
  for (; context != nullptr; context = context->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context);
        ns != nullptr && ns->getName() == name) {
      return true;
    }
  }
  return false;
}

// Whether a configured name ("myapp::db::run", "db::run", "PQexec") names this function.
bool names_function(const std::string& configured, const std::string& qualified) {
  return qualified == configured ||
         (qualified.size() > configured.size() + 2 && qualified.ends_with(configured) &&
          qualified.compare(qualified.size() - configured.size() - 2, 2, "::") == 0);
}

// Whether a libpqxx object of this class runs its statements inside a transaction: the
// transaction classes do; nontransaction and the connection do not.
bool pqxx_class_is_transactional(const clang::CXXRecordDecl* record) {
  if (record == nullptr) {
    return true;
  }
  record = record->getDefinition() != nullptr ? record->getDefinition() : record;
  std::string name = record->getNameAsString();
  if (name == "nontransaction" || name == "connection" || name == "basic_connection" ||
      name == "connection_base") {
    return false;
  }
  bool transactional = true;
  if (record->hasDefinition()) {
    for (const clang::CXXBaseSpecifier& base : record->bases()) {
      if (const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl()) {
        if (base_record->getName() == "nontransaction") {
          transactional = false;
        }
      }
    }
  }
  return transactional;
}

class CallFinder : public clang::RecursiveASTVisitor<CallFinder> {
 public:
  CallFinder(clang::ASTContext& context, const CppSettings& settings)
      : context_(context), sm_(context.getSourceManager()), settings_(settings) {}

  bool shouldVisitTemplateInstantiations() const { return false; }

  // Only declarations written in the main file: calls in headers are reported when the header
  // itself is linted, so that a call reached through several files is reported once.
  bool TraverseDecl(clang::Decl* decl) {
    if (decl == nullptr) {
      return true;
    }
    if (!llvm::isa<clang::TranslationUnitDecl>(decl) && decl->getLocation().isValid() &&
        !sm_.isInMainFile(sm_.getExpansionLoc(decl->getLocation()))) {
      return true;
    }
    return clang::RecursiveASTVisitor<CallFinder>::TraverseDecl(decl);
  }

  bool VisitDeclRefExpr(clang::DeclRefExpr* reference) {
    if (const auto* variable = llvm::dyn_cast<clang::VarDecl>(reference->getDecl())) {
      ++references_[variable->getCanonicalDecl()];
    }
    return true;
  }

  bool VisitCallExpr(clang::CallExpr* call) {
    if (llvm::isa<clang::CXXOperatorCallExpr>(call) ||
        !sm_.isInMainFile(sm_.getExpansionLoc(call->getBeginLoc()))) {
      return true;
    }
    const clang::Expr* object = nullptr;
    std::string qualified;
    std::string simple;
    bool pqxx_class = false;
    bool resolved = true;
    const clang::CXXRecordDecl* object_class = nullptr;
    if (const auto* member_call = llvm::dyn_cast<clang::CXXMemberCallExpr>(call)) {
      const clang::CXXMethodDecl* method = member_call->getMethodDecl();
      if (method == nullptr) {
        return true;
      }
      object = member_call->getImplicitObjectArgument();
      qualified = method->getQualifiedNameAsString();
      simple = method->getNameAsString();
      pqxx_class = in_namespace(method->getParent(), "pqxx");
      // The object's own class, before the implicit conversion to the class that declares the
      // method (a nontransaction's exec() is transaction_base::exec()).
      const clang::Expr* own = object != nullptr ? object->IgnoreParenImpCasts() : nullptr;
      object_class = own != nullptr ? own->getType()->getPointeeCXXRecordDecl() : nullptr;
      if (object_class == nullptr && own != nullptr) {
        object_class = own->getType()->getAsCXXRecordDecl();
      }
    } else if (const clang::FunctionDecl* function = call->getDirectCallee()) {
      qualified = function->getQualifiedNameAsString();
      simple = function->getNameAsString();
      if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(function)) {
        pqxx_class = in_namespace(method->getParent(), "pqxx");
      }
    } else {
      // Not resolved: in a template (dependent), or code Clang could not fully read.
      resolved = false;
      const clang::Expr* callee =
          call->getCallee() != nullptr ? call->getCallee()->IgnoreParenImpCasts() : nullptr;
      if (const auto* lookup = llvm::dyn_cast_or_null<clang::UnresolvedLookupExpr>(callee)) {
        simple = lookup->getName().getAsString();
      } else if (const auto* member = llvm::dyn_cast_or_null<clang::UnresolvedMemberExpr>(callee)) {
        simple = member->getMemberName().getAsString();
        object = member->isImplicitAccess() ? nullptr : member->getBase();
      } else if (const auto* dependent = llvm::dyn_cast_or_null<clang::CXXDependentScopeMemberExpr>(callee)) {
        simple = dependent->getMember().getAsString();
        object = dependent->isImplicitAccess() ? nullptr : dependent->getBase();
      } else if (const auto* member_expr = llvm::dyn_cast_or_null<clang::MemberExpr>(callee)) {
        simple = member_expr->getMemberNameInfo().getAsString();
        object = member_expr->getBase();
      } else {
        return true;
      }
      qualified = simple;
    }
    const QueryFunction* match = nullptr;
    for (const QueryFunction& function : settings_.query_functions) {
      bool matches = function.pqxx_method ? simple == function.name && (pqxx_class || !resolved)
                                          : (resolved ? names_function(function.name, qualified)
                                                      : simple == last_component(function.name));
      if (matches) {
        match = &function;
        break;
      }
    }
    if (match == nullptr) {
      return true;
    }
    unsigned sql_arg = match->sql_arg;
    unsigned arguments = call->getNumArgs();
    if (llvm::isa<clang::CXXMemberCallExpr>(call) == false && object != nullptr && !resolved) {
      // A dependent member call lists only the arguments, like a resolved one.
    }
    if (match->pqxx_method && simple == "prepare" && arguments == 1) {
      sql_arg = 0;  // prepare(sql): the unnamed prepared statement
    }
    if (sql_arg >= arguments) {
      return true;
    }
    PendingCall pending;
    pending.call = call;
    pending.argument = call->getArg(sql_arg);
    pending.function = match;
    pending.function_name = qualified;
    for (unsigned k = sql_arg + 1; k < arguments; ++k) {
      // Defaulted parameters are not arguments the caller wrote.
      if (!llvm::isa<clang::CXXDefaultArgExpr>(call->getArg(k))) {
        pending.format_arguments = true;
        break;
      }
    }
    bool transactional = false;
    if (match->in_transaction) {
      transactional = *match->in_transaction;
    } else if (object_class != nullptr) {
      transactional = pqxx_class_is_transactional(object_class);
    } else {
      // The object's type is unknown (a dependent type, or libpqxx's headers are missing): judge
      // by the type as written where the object is declared.
      std::optional<bool> written = object != nullptr ? transactional_by_spelling(object) : std::nullopt;
      transactional = object != nullptr && written.value_or(true);
      pending.transaction_guessed = !written.has_value();
    }
    if (transactional) {
      pending.transaction = object_identity(object);
    }
    pending_.push_back(pending);
    return true;
  }

  // The calls found, their SQL recovered, in source order.
  std::vector<ExtractedCall> finish() {
    std::vector<ExtractedCall> calls;
    // A non-const variable counts as constant only when every reference to it is a use as SQL.
    std::unordered_map<const clang::VarDecl*, unsigned> uses_as_sql;
    for (const PendingCall& pending : pending_) {
      if (const clang::VarDecl* variable = variable_of(pending.argument)) {
        ++uses_as_sql[variable];
      }
    }
    for (const PendingCall& pending : pending_) {
      ExtractedCall call;
      call.function = pending.function_name;
      call.placeholders = pending.function->placeholders;
      call.placeholders_explicit = pending.function->placeholders_explicit;
      call.format_arguments = pending.format_arguments;
      call.transaction = pending.transaction;
      call.transaction_guessed = pending.transaction_guessed;
      clang::CharSourceRange call_range = sm_.getExpansionRange(pending.call->getSourceRange());
      call.call_begin = sm_.getFileOffset(call_range.getBegin());
      call.call_end = end_offset(call_range);
      clang::CharSourceRange argument_range = sm_.getExpansionRange(pending.argument->getSourceRange());
      call.argument_begin = sm_.getFileOffset(argument_range.getBegin());
      call.argument_end = std::max(call.argument_begin, end_offset(argument_range));
      const clang::StringLiteral* literal = constant_literal(pending.argument, uses_as_sql, 0);
      if (literal == nullptr || !read_literal(*literal, call)) {
        call.dynamic = true;
        call.sql.clear();
        call.sql_offsets.clear();
      }
      calls.push_back(std::move(call));
    }
    std::sort(calls.begin(), calls.end(),
              [](const ExtractedCall& a, const ExtractedCall& b) { return a.call_begin < b.call_begin; });
    return calls;
  }

 private:
  uint32_t end_offset(clang::CharSourceRange range) const {
    clang::SourceLocation end = range.getEnd();
    uint32_t offset = sm_.getFileOffset(end);
    if (range.isTokenRange()) {
      offset += clang::Lexer::MeasureTokenLength(end, sm_, context_.getLangOpts());
    }
    return offset;
  }

  // Whether the type written in the object's declaration is a libpqxx transaction
  // (`pqxx::work txn`, `pqxx::transaction_base& tx`) or not (`pqxx::nontransaction n`).
  std::optional<bool> transactional_by_spelling(const clang::Expr* object) const {
    object = object->IgnoreParenImpCasts();
    const clang::DeclaratorDecl* declaration = nullptr;
    if (const auto* reference = llvm::dyn_cast<clang::DeclRefExpr>(object)) {
      declaration = llvm::dyn_cast<clang::DeclaratorDecl>(reference->getDecl());
    } else if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(object)) {
      declaration = llvm::dyn_cast<clang::DeclaratorDecl>(member->getMemberDecl());
    }
    if (declaration == nullptr || declaration->getBeginLoc().isInvalid() ||
        declaration->getLocation().isInvalid()) {
      return std::nullopt;
    }
    llvm::StringRef written = clang::Lexer::getSourceText(
        clang::CharSourceRange::getCharRange(sm_.getExpansionLoc(declaration->getBeginLoc()),
                                             sm_.getExpansionLoc(declaration->getLocation())),
        sm_, context_.getLangOpts());
    if (written.contains("nontransaction") || written.contains("connection")) {
      return false;
    }
    if (written.contains("work") || written.contains("transaction")) {
      return true;
    }
    return std::nullopt;
  }

  // The same transaction object: the same variable or member; a temporary is its own.
  uint64_t object_identity(const clang::Expr* object) {
    if (object != nullptr) {
      object = object->IgnoreParenImpCasts();
      if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(object)) {
        object = unary->getSubExpr()->IgnoreParenImpCasts();
      }
      // txn->exec() on a smart pointer: operator->() of the pointer variable.
      if (const auto* arrow = llvm::dyn_cast<clang::CXXOperatorCallExpr>(object);
          arrow != nullptr && arrow->getNumArgs() == 1) {
        object = arrow->getArg(0)->IgnoreParenImpCasts();
      }
      if (const auto* reference = llvm::dyn_cast<clang::DeclRefExpr>(object)) {
        return reinterpret_cast<uint64_t>(reference->getDecl()->getCanonicalDecl());
      }
      if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(object)) {
        return reinterpret_cast<uint64_t>(member->getMemberDecl()->getCanonicalDecl());
      }
    }
    return ++temporaries_;
  }

  static const clang::Expr* strip(const clang::Expr* expr) {
    while (expr != nullptr) {
      const clang::Expr* inner = expr->IgnoreParenImpCasts();
      if (const auto* cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(inner)) {
        inner = cleanups->getSubExpr();
      } else if (const auto* temporary = llvm::dyn_cast<clang::MaterializeTemporaryExpr>(inner)) {
        inner = temporary->getSubExpr();
      } else if (const auto* bind = llvm::dyn_cast<clang::CXXBindTemporaryExpr>(inner)) {
        inner = bind->getSubExpr();
      } else if (const auto* cast = llvm::dyn_cast<clang::CXXFunctionalCastExpr>(inner)) {
        inner = cast->getSubExpr();
      } else if (const auto* named_cast = llvm::dyn_cast<clang::CXXNamedCastExpr>(inner)) {
        inner = named_cast->getSubExpr();
      } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(inner)) {
        // std::string / std::string_view / pqxx::zview from one argument (the others defaulted).
        unsigned given = 0;
        for (const clang::Expr* argument : construct->arguments()) {
          given += llvm::isa<clang::CXXDefaultArgExpr>(argument) ? 0 : 1;
        }
        if (construct->getNumArgs() == 0 || given != 1) {
          return inner;
        }
        inner = construct->getArg(0);
      } else if (const auto* list = llvm::dyn_cast<clang::InitListExpr>(inner)) {
        if (list->getNumInits() != 1) {
          return inner;
        }
        inner = list->getInit(0);
      } else if (const auto* member_call = llvm::dyn_cast<clang::CXXMemberCallExpr>(inner)) {
        // sql.c_str(), sql.data(): the string itself.
        const clang::CXXMethodDecl* method = member_call->getMethodDecl();
        if (method == nullptr || member_call->getNumArgs() != 0 ||
            (method->getName() != "c_str" && method->getName() != "data")) {
          return inner;
        }
        inner = member_call->getImplicitObjectArgument();
      }
      if (inner == expr) {
        return expr;
      }
      expr = inner;
    }
    return expr;
  }

  // The variable an argument names (through conversions), if any.
  static const clang::VarDecl* variable_of(const clang::Expr* argument) {
    const clang::Expr* stripped = strip(argument);
    if (const auto* reference = llvm::dyn_cast_or_null<clang::DeclRefExpr>(stripped)) {
      if (const auto* variable = llvm::dyn_cast<clang::VarDecl>(reference->getDecl())) {
        return variable->getCanonicalDecl();
      }
    }
    return nullptr;
  }

  // The string literal a constant SQL argument comes from, or nullptr when it is built at run time.
  const clang::StringLiteral* constant_literal(
      const clang::Expr* argument, const std::unordered_map<const clang::VarDecl*, unsigned>& uses_as_sql,
      int depth) const {
    const clang::Expr* expr = strip(argument);
    if (expr == nullptr || depth > 8) {
      return nullptr;
    }
    if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(expr)) {
      return literal;
    }
    if (const auto* user_literal = llvm::dyn_cast<clang::UserDefinedLiteral>(expr)) {
      // "..."sv, "..."s
      if (const auto* cooked = llvm::dyn_cast_or_null<clang::StringLiteral>(
              user_literal->getCookedLiteral() != nullptr
                  ? user_literal->getCookedLiteral()->IgnoreParenImpCasts()
                  : nullptr)) {
        return cooked;
      }
      if (user_literal->getNumArgs() >= 1) {
        return constant_literal(user_literal->getArg(0), uses_as_sql, depth + 1);
      }
      return nullptr;
    }
    if (const auto* reference = llvm::dyn_cast<clang::DeclRefExpr>(expr)) {
      const auto* variable = llvm::dyn_cast<clang::VarDecl>(reference->getDecl());
      if (variable == nullptr) {
        return nullptr;
      }
      const clang::VarDecl* definition =
          variable->getDefinition() != nullptr ? variable->getDefinition() : variable;
      const clang::Expr* init = definition->getAnyInitializer();
      if (init == nullptr) {
        return nullptr;
      }
      bool constant = definition->isConstexpr() || definition->getType().isConstQualified();
      if (!constant) {
        // A non-const std::string or const char* that is only ever passed as SQL.
        auto references = references_.find(variable->getCanonicalDecl());
        auto uses = uses_as_sql.find(variable->getCanonicalDecl());
        constant = references != references_.end() && uses != uses_as_sql.end() &&
                   references->second <= uses->second;
      }
      return constant ? constant_literal(init, uses_as_sql, depth + 1) : nullptr;
    }
    return nullptr;
  }

  // Fills call.sql and call.sql_offsets from a literal (its concatenated tokens). A token spelled
  // outside the main file (a constant or macro in a header) maps to the argument in the main file.
  bool read_literal(const clang::StringLiteral& literal, ExtractedCall& call) const {
    if (literal.getCharByteWidth() != 1) {
      return false;  // wide or UTF-16/32: not SQL text miglint can read
    }
    clang::FileID main = sm_.getMainFileID();
    llvm::StringRef main_text = sm_.getBufferData(main);
    std::string bytes;
    std::vector<uint32_t> offsets;
    for (unsigned token = 0; token < literal.getNumConcatenated(); ++token) {
      clang::SourceLocation spelling = sm_.getSpellingLoc(literal.getStrTokenLoc(token));
      clang::FileID file = sm_.getFileID(spelling);
      bool in_main = file == main;
      llvm::StringRef text = in_main ? main_text : sm_.getBufferData(file);
      std::optional<DecodedLiteral> decoded =
          decode_string_literal(std::string_view(text.data(), text.size()), sm_.getFileOffset(spelling));
      if (!decoded) {
        return read_literal_with_clang(literal, call);
      }
      bytes += decoded->bytes;
      if (in_main) {
        offsets.insert(offsets.end(), decoded->offsets.begin(), decoded->offsets.end());
      } else {
        offsets.resize(bytes.size(), call.argument_begin);
      }
    }
    if (bytes != literal.getString()) {
      return read_literal_with_clang(literal, call);
    }
    call.sql = std::move(bytes);
    call.sql_offsets = std::move(offsets);
    return true;
  }

  // Clang's own mapping, byte by byte (slower; for literals the decoder above does not follow).
  bool read_literal_with_clang(const clang::StringLiteral& literal, ExtractedCall& call) const {
    call.sql = literal.getString().str();
    call.sql_offsets.clear();
    for (unsigned byte = 0; byte < call.sql.size(); ++byte) {
      clang::SourceLocation location =
          literal.getLocationOfByte(byte, sm_, context_.getLangOpts(), context_.getTargetInfo());
      clang::SourceLocation spelling = sm_.getSpellingLoc(location);
      call.sql_offsets.push_back(sm_.getFileID(spelling) == sm_.getMainFileID() ? sm_.getFileOffset(spelling)
                                                                                : call.argument_begin);
    }
    return true;
  }

  clang::ASTContext& context_;
  clang::SourceManager& sm_;
  const CppSettings& settings_;
  std::vector<PendingCall> pending_;
  std::unordered_map<const clang::VarDecl*, unsigned> references_;
  uint64_t temporaries_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The frontend action: parse, skipping the bodies of functions outside the main file (they cannot
// hold the calls this file is reported for), then collect.

class ExtractConsumer : public clang::ASTConsumer {
 public:
  ExtractConsumer(const CppSettings& settings, CppExtraction& out, const CountingDiagnostics& diagnostics,
                  clang::SourceManager& sm)
      : settings_(settings), out_(out), diagnostics_(diagnostics), sm_(sm) {}

  bool shouldSkipFunctionBody(clang::Decl* decl) override {
    return !sm_.isInMainFile(sm_.getExpansionLoc(decl->getLocation()));
  }

  void HandleTranslationUnit(clang::ASTContext& context) override {
    CallFinder finder(context, settings_);
    finder.TraverseDecl(context.getTranslationUnitDecl());
    out_.calls = finder.finish();
    if (diagnostics_.errors() > 0) {
      find_calls_lexically(sm_, context.getLangOpts(), settings_, out_.calls);
    }
  }

 private:
  const CppSettings& settings_;
  CppExtraction& out_;
  const CountingDiagnostics& diagnostics_;
  clang::SourceManager& sm_;
};

class ExtractAction : public clang::ASTFrontendAction {
 public:
  ExtractAction(const CppSettings& settings, CppExtraction& out, CountingDiagnostics& diagnostics)
      : settings_(settings), out_(out), diagnostics_(diagnostics) {}

  bool BeginInvocation(clang::CompilerInstance& compiler) override {
    compiler.getFrontendOpts().SkipFunctionBodies = true;
    compiler.getDiagnosticOpts().ShowCarets = false;  // no "N errors generated." on stderr
    return true;
  }

  bool BeginSourceFileAction(clang::CompilerInstance& compiler) override {
    // After a fatal error (a missing header) Clang reads the rest of the file but no further
    // headers, as `clang -fsyntax-only` does: the calls that leaves unresolved are found from the
    // tokens (find_calls_lexically), which keeps extraction as fast as a syntax check.
    compiler.getDiagnostics().setErrorLimit(0);
    return true;
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler,
                                                        llvm::StringRef /*file*/) override {
    return std::make_unique<ExtractConsumer>(settings_, out_, diagnostics_, compiler.getSourceManager());
  }

 private:
  const CppSettings& settings_;
  CppExtraction& out_;
  CountingDiagnostics& diagnostics_;
};

CppExtraction extract(const CppExtractRequest& request) {
  CppExtraction out;
  const CppSettings& settings = *request.settings;
  std::error_code error;
  std::string file = fs::absolute(request.filesystem_path, error).lexically_normal().string();
  CompileSetup setup = compile_setup(file, settings);

  std::vector<std::string> args{"clang-tool", "-fsyntax-only", "-w", "-resource-dir", resource_dir()};
  args.insert(args.end(), setup.args.begin(), setup.args.end());
  args.insert(args.end(), settings.extra_args.begin(), settings.extra_args.end());
  args.push_back(file);

  // The file's bytes as miglint read them (they may be a staged version) over the real files.
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> overlay(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::createPhysicalFileSystem()));
  llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem> memory(new llvm::vfs::InMemoryFileSystem);
  overlay->pushOverlay(memory);
  memory->addFile(file, 0,
                  llvm::MemoryBuffer::getMemBufferCopy(
                      llvm::StringRef(request.contents.data(), request.contents.size()), file));
  if (!setup.directory.empty()) {
    (void)overlay->setCurrentWorkingDirectory(setup.directory);
  }
  llvm::IntrusiveRefCntPtr<clang::FileManager> files(
      new clang::FileManager(clang::FileSystemOptions(), overlay));

  CountingDiagnostics diagnostics;
  clang::tooling::ToolInvocation invocation(args, std::make_unique<ExtractAction>(settings, out, diagnostics),
                                            files.get());
  invocation.setDiagnosticConsumer(&diagnostics);
  bool ran = invocation.run();
  if (!ran && out.calls.empty() && diagnostics.errors() == 0) {
    out.error = "Clang could not process the file (its compile command may be invalid)";
    return out;
  }
  if (std::getenv("MIGLINT_CPP_DEBUG") != nullptr) {
    for (const ExtractedCall& call : out.calls) {
      llvm::errs() << "call " << call.function << " @" << call.call_begin << " dynamic=" << call.dynamic
                   << " tx=" << (call.transaction ? std::to_string(*call.transaction) : "-")
                   << " sql=" << call.sql << "\n";
    }
  }
  if (diagnostics.errors() > 0) {
    out.incomplete =
        diagnostics.first() + (diagnostics.errors() > 1
                                   ? "; " + std::to_string(diagnostics.errors()) + " errors in all"
                                   : std::string());
  }
  return out;
}

}  // namespace

CppExtraction extract_with_clang(const CppExtractRequest& request) {
  return extract(request);
}

const char* clang_version() {
  return CLANG_VERSION_STRING;
}

}  // namespace miglint::cpp
