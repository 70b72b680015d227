/* svcclient completion: the generated scripts name every command, option
 * and fixed value of cli.c's tables, parse in their shell, and a real bash
 * that sources the script completes what a user types. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "complete.h"
#include "err.h"
#include "proc.h"
#include "sbuf.h"
#include "tmpdir.h"

static struct proc_result res;

static void script(const char *shell, struct sbuf *out)
{
    sbuf_init(out, 0);
    cr_assert_eq(complete_script(shell, out), 0, "%s", shell);
}

/* Whether `word` appears in s as a word of its own (not inside another,
 * so "--tail" is not found in "--tails"). */
static int has_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = strstr(s, word); p; p = strstr(p + 1, word)) {
        int before = p == s || strchr(" '(|\n\t", p[-1]);
        int after = p[n] == '\0' || strchr(" ')|;\n,", p[n]);
        if (before && after)
            return 1;
    }
    return 0;
}

/* Every command, option (as the shell spells it) and fixed value. */
static void check_names(const char *shell)
{
    struct sbuf out;
    struct cli_optinfo op;
    struct cli_cmdinfo c;
    int fish = strcmp(shell, "fish") == 0;
    char w[64];

    script(shell, &out);
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        cr_expect(has_word(out.p, c.name), "%s: command %s missing", shell, c.name);
        for (size_t k = 0; c.args && c.args(k); k++)
            cr_expect(has_word(out.p, c.args(k)), "%s: %s's argument %s missing", shell, c.name,
                      c.args(k));
    }
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++) {
        snprintf(w, sizeof(w), fish ? "-l %s" : "%s", fish ? op.name + 2 : op.name);
        cr_expect(fish ? strstr(out.p, w) != NULL : has_word(out.p, w), "%s: option %s missing",
                  shell, op.name);
        if (op.letter) {
            snprintf(w, sizeof(w), fish ? "-s %c" : "-%c", op.letter);
            cr_expect(fish ? strstr(out.p, w) != NULL : has_word(out.p, w),
                      "%s: option -%c missing", shell, op.letter);
        }
        for (size_t k = 0; op.values && op.values(k); k++)
            cr_expect(has_word(out.p, op.values(k)), "%s: %s's value %s missing", shell, op.name,
                      op.values(k));
    }
    sbuf_free(&out);
}

Test(complete, every_shell_names_every_command_option_and_value)
{
    for (size_t i = 0; cli_shell_name(i); i++)
        check_names(cli_shell_name(i));
}

Test(complete, the_table_has_what_users_complete)
{
    struct sbuf out;

    /* the fixed sets come from the parsers' own tables */
    script("bash", &out);
    cr_expect(strstr(out.p, "-p|--priority) printf '%s\\n' 'emerg alert crit err warning notice "
                            "info debug'") != NULL,
              "%s", out.p);
    cr_expect(strstr(out.p, "-o|--output) printf '%s\\n' 'short-iso json short cat "
                            "json-pretty'") != NULL);
    cr_expect(strstr(out.p, "completion) printf '%s\\n' 'bash zsh fish powershell'") != NULL);
    sbuf_free(&out);
}

Test(complete, the_parser_takes_a_shell_and_names_the_accepted_ones)
{
    char *ok[] = {"svcclient", "completion", "zsh", NULL};
    char *bad[] = {"svcclient", "completion", "tcsh", NULL};
    char *extra[] = {"svcclient", "completion", "bash", "zsh", NULL};
    char *logsopt[] = {"svcclient", "completion", "bash", "-n", "5", NULL};
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(cli_parse(3, ok, &o, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(o.cmd, CLI_COMPLETION);
    cr_expect_str_eq(o.shell, "zsh");
    cr_assert_eq(cli_parse(3, bad, &o, err, sizeof(err)), ERR_INVAL);
    cr_expect_str_eq(err, "completion: unknown shell 'tcsh' (accepted: bash, zsh, fish, "
                          "powershell)");
    cr_assert_eq(cli_parse(4, extra, &o, err, sizeof(err)), ERR_INVAL);
    cr_expect_str_eq(err, "completion: unexpected argument 'zsh'");
    cr_assert_eq(cli_parse(5, logsopt, &o, err, sizeof(err)), ERR_INVAL);
    cr_expect_str_eq(err, "completion: -n applies only to the logs command");
}

Test(complete, another_shell_is_refused)
{
    struct sbuf out;

    sbuf_init(&out, 0);
    cr_expect_eq(complete_script("tcsh", &out), ERR_INVAL);
    sbuf_free(&out);
}

/* Writes the script to a file and runs `shell -n` on it; skipped when the
 * shell is not installed. */
static void syntax_check(const char *shell, const char *gen)
{
    char dir[256], path[320], probe[64];
    char *which[] = {"sh", "-c", probe, NULL};
    struct sbuf out;

    snprintf(probe, sizeof(probe), "command -v %s", shell);
    cr_assert_eq(proc_run(which, NULL, 10000, &res), 0);
    if (res.exit_code != 0)
        cr_skip_test("%s is not installed: its syntax check needs it (apt-get install %s)", shell,
                     shell);
    script(gen, &out);
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "script", out.p, out.len), 0);
    snprintf(path, sizeof(path), "%s/script", dir);
    char *argv[] = {(char *)shell, "-n", path, NULL};
    cr_assert_eq(proc_run(argv, NULL, 10000, &res), 0);
    cr_expect_eq(res.exit_code, 0, "%s -n: %s", shell, res.err);
    tmpdir_remove(dir);
    sbuf_free(&out);
}

Test(complete, bash_script_parses)
{
    syntax_check("bash", "bash");
}

Test(complete, zsh_script_parses)
{
    syntax_check("zsh", "zsh");
}

Test(complete, fish_script_parses)
{
    syntax_check("fish", "fish");
}

Test(complete, powershell_script_parses)
{
    char dir[256], path[320], cmd[512];
    char *which[] = {"sh", "-c", "command -v pwsh", NULL};
    struct sbuf out;

    cr_assert_eq(proc_run(which, NULL, 10000, &res), 0);
    if (res.exit_code != 0)
        cr_skip_test("pwsh is not installed: the PowerShell syntax check needs it");
    script("powershell", &out);
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "c.ps1", out.p, out.len), 0);
    snprintf(path, sizeof(path), "%s/c.ps1", dir);
    snprintf(cmd, sizeof(cmd),
             "$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('%s', "
             "[ref]$null, [ref]$e); if ($e.Count) { $e; exit 1 }",
             path);
    char *argv[] = {"pwsh", "-NoProfile", "-Command", cmd, NULL};
    cr_assert_eq(proc_run(argv, NULL, 60000, &res), 0);
    cr_expect_eq(res.exit_code, 0, "pwsh: %s%s", res.out, res.err);
    tmpdir_remove(dir);
    sbuf_free(&out);
}

/* What a real bash offers after sourcing `svcclient completion bash` for
 * the line `words` (the last being the word under the cursor): the
 * candidates, one line, space-separated. */
static const char *bash_complete(const char *words)
{
    char prog[1024];
    char *argv[] = {"bash", "--norc", "--noprofile", "-c", prog, NULL};
    char *env[] = {"SVCCLIENT=" SVCCLIENT_BIN, NULL};

    snprintf(prog, sizeof(prog),
             "source <(\"$SVCCLIENT\" completion bash) || exit 9\n"
             "complete -p svcclient >/dev/null || exit 8\n"
             "COMP_WORDS=(%s)\n"
             "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
             "_svcclient\n"
             "printf '%%s\\n' \"${COMPREPLY[*]}\"\n",
             words);
    cr_assert_eq(proc_run(argv, env, 20000, &res), 0);
    cr_assert_eq(res.exit_code, 0, "bash: %s", res.err);
    res.out[strcspn(res.out, "\n")] = '\0';
    return res.out;
}

Test(complete_bash, a_real_bash_completes_commands_options_and_values)
{
    cr_expect_str_eq(bash_complete("svcclient lo"), "logs");
    cr_expect_str_eq(bash_complete("svcclient logs --pri"), "--priority");
    cr_expect_str_eq(bash_complete("svcclient logs -p w"), "warning");
    cr_expect_str_eq(bash_complete("svcclient logs --output = json-"), "json-pretty");
    cr_expect_str_eq(bash_complete("svcclient -n 5 logs -fo c"), "cat");
    cr_expect_str_eq(bash_complete("svcclient completion ''"), "bash zsh fish powershell");
    cr_expect_str_eq(bash_complete("svcclient help pa"), "pause");
    /* the time options come from the same table */
    cr_expect_str_eq(bash_complete("svcclient logs --ut"), "--utc");
    cr_expect_str_eq(bash_complete("svcclient logs --times"), "--timestamps");
    /* logs' own options are not offered for status */
    cr_expect_str_eq(bash_complete("svcclient status --pri"), "");
    /* a file name (the endpoint) is not completed as a command */
    cr_expect_str_eq(bash_complete("svcclient --endpoint st"), "");
}

/* --endpoint's value is a file: the shells offer the files there (it once
 * offered nothing). */
Test(complete_bash, the_endpoint_completes_file_names)
{
    char dir[256], words[600], want[600];

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.sock", "", 0), 0);
    snprintf(words, sizeof(words), "svcclient --endpoint %s/svcd.s", dir);
    snprintf(want, sizeof(want), "%s/svcd.sock", dir);
    cr_expect_str_eq(bash_complete(words), want);
    snprintf(words, sizeof(words), "svcclient status --endpoint = %s/svcd.s", dir);
    cr_expect_str_eq(bash_complete(words), want);
    tmpdir_remove(dir);
}

Test(complete, fish_completes_the_endpoint_with_file_names)
{
    char dir[256], cmd[900];
    char *which[] = {"sh", "-c", "command -v fish", NULL};
    struct sbuf out;

    cr_assert_eq(proc_run(which, NULL, 10000, &res), 0);
    if (res.exit_code != 0)
        cr_skip_test("fish is not installed (apt-get install fish)");
    script("fish", &out);
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "c.fish", out.p, out.len), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.sock", "", 0), 0);
    snprintf(cmd, sizeof(cmd),
             "source %s/c.fish; complete -C'svcclient --endpoint %s/svcd.s'; "
             "complete -C'svcclient logs -o c'",
             dir, dir);
    char *argv[] = {"fish", "--no-config", "-c", cmd, NULL};
    cr_assert_eq(proc_run(argv, NULL, 20000, &res), 0);
    cr_expect_eq(res.exit_code, 0, "fish: %s", res.err);
    cr_expect(strstr(res.out, "/svcd.sock") != NULL, "%s", res.out);
    cr_expect(strstr(res.out, "cat") != NULL, "the fixed values still: %s", res.out);
    tmpdir_remove(dir);
    sbuf_free(&out);
}

Test(complete_bash, the_binary_prints_the_script_and_refuses_another_shell)
{
    char *ok[] = {SVCCLIENT_BIN, "completion", "bash", NULL};
    char *bad[] = {SVCCLIENT_BIN, "completion", "tcsh", NULL};
    char *none[] = {SVCCLIENT_BIN, "completion", NULL};

    cr_assert_eq(proc_run(ok, NULL, 10000, &res), 0);
    cr_expect_eq(res.exit_code, 0);
    cr_expect(strstr(res.out, "complete -F _svcclient svcclient") != NULL);
    cr_assert_eq(proc_run(bad, NULL, 10000, &res), 0);
    cr_expect_eq(res.exit_code, 2);
    cr_expect(strstr(res.err, "unknown shell 'tcsh' (accepted: bash, zsh, fish, powershell)"), "%s",
              res.err);
    cr_assert_eq(proc_run(none, NULL, 10000, &res), 0);
    cr_expect_eq(res.exit_code, 2);
    cr_expect(strstr(res.err, "bash, zsh, fish or powershell") != NULL, "%s", res.err);
}

/* The same in zsh, where the completion system is replaced by stand-ins:
 * compadd prints what it was given (zsh itself then filters by the prefix),
 * compset drops the --opt= prefix. Skipped when zsh is not installed. */
static const char *zsh_complete(const char *words)
{
    char prog[1024];
    char *argv[] = {"zsh", "-f", "-c", prog, NULL};
    char *env[] = {"SVCCLIENT=" SVCCLIENT_BIN, NULL};
    char *which[] = {"sh", "-c", "command -v zsh", NULL};

    cr_assert_eq(proc_run(which, NULL, 10000, &res), 0);
    if (res.exit_code != 0)
        cr_skip_test("zsh is not installed: the zsh completion run needs it");
    snprintf(prog, sizeof(prog),
             "compadd() { print -r -- \"${(P)2}\"; }\n"
             "compset() { cur=${cur#*=}; }\n"
             "compdef() { :; }\n"
             "source <(\"$SVCCLIENT\" completion zsh) || exit 9\n"
             "words=(%s)\n"
             "CURRENT=${#words}\n"
             "_svcclient\n",
             words);
    cr_assert_eq(proc_run(argv, env, 20000, &res), 0);
    cr_assert_eq(res.exit_code, 0, "zsh: %s", res.err);
    cr_assert_str_eq(res.err, "");
    res.out[strcspn(res.out, "\n")] = '\0';
    return res.out;
}

Test(complete_zsh, zsh_offers_the_commands_options_and_values)
{
    cr_expect(has_word(zsh_complete("svcclient lo"), "logs"));
    cr_expect(has_word(zsh_complete("svcclient logs --pri"), "--priority"));
    cr_expect(!has_word(zsh_complete("svcclient status --pri"), "--priority"));
    cr_expect_str_eq(zsh_complete("svcclient logs -fp w"),
                     "emerg alert crit err warning notice info debug");
    cr_expect_str_eq(zsh_complete("svcclient logs --output=js"),
                     "short-iso json short cat json-pretty");
    cr_expect_str_eq(zsh_complete("svcclient completion ''"), "bash zsh fish powershell");
}
