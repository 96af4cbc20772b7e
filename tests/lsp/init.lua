-- Neovim's own LSP client against `miglint lsp` (tests/lsp/neovim_test.sh runs it headless):
-- opens a migration, waits for the diagnostics, checks their rule ids and positions, applies the
-- fix code action as Neovim applies workspace edits, and checks the buffer's text.
local migration = os.getenv('MIGLINT_LSP_FILE')
local expected_fixed = os.getenv('MIGLINT_LSP_FIXED')
local miglint = os.getenv('MIGLINT_BINARY')
local rule = 'require-concurrent-index-creation'

local function finish(code, message)
  io.stdout:write(message .. '\n')
  io.stdout:flush()
  vim.cmd((code == 0 and 'qall!' or 'cquit! ' .. code))
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(migration))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'miglint',
    cmd = { miglint, 'lsp' },
    root_dir = vim.fn.fnamemodify(migration, ':h'),
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function rule_diagnostics()
    local found = {}
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == rule then
        table.insert(found, diagnostic)
      end
    end
    return found
  end
  assert(vim.wait(20000, function() return #rule_diagnostics() > 0 end, 20), 'no ' .. rule .. ' diagnostic')
  local diagnostic = rule_diagnostics()[1]
  assert(#rule_diagnostics() == 1, 'expected one ' .. rule .. ' diagnostic, got ' .. #rule_diagnostics())
  assert(diagnostic.source == 'miglint', 'source ' .. tostring(diagnostic.source))
  -- Line 2, after "/* é😀 */ ": 13 bytes (Neovim's columns are bytes, converted from UTF-16).
  assert(diagnostic.lnum == 1 and diagnostic.col == 13,
    string.format('diagnostic at %d:%d, expected 1:13', diagnostic.lnum, diagnostic.col))
  assert(diagnostic.severity == vim.diagnostic.severity.WARN, 'severity ' .. tostring(diagnostic.severity))

  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {} }
  local client = vim.lsp.get_client_by_id(client_id)
  local response = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
  assert(response and response.result, 'no code actions: ' .. vim.inspect(response))
  local fix
  for _, action in ipairs(response.result) do
    if action.diagnostics[1].code == rule and not action.title:find('ignore') then
      fix = action
    end
  end
  assert(fix, 'no fix among ' .. vim.inspect(response.result))
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)

  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
  local expected = table.concat(vim.fn.readfile(expected_fixed), '\n') .. '\n'
  assert(text == expected, 'the buffer holds\n' .. text .. '\nexpected (lint --fix)\n' .. expected)
  -- The change goes to the server, which lints it again: the finding is gone.
  assert(vim.wait(20000, function() return #rule_diagnostics() == 0 end, 20), 'the diagnostic stayed after the fix')
end)

if ok then
  finish(0, 'ok: diagnostics, code action and fixed buffer in Neovim ' .. tostring(vim.version().major) .. '.' ..
    tostring(vim.version().minor))
else
  finish(1, 'FAIL: ' .. tostring(err))
end
