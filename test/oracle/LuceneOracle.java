// Lucene regexp oracle for the regex tests (test/oracle/lucene.ts starts it; see that file).
//
// Matches exactly like an Elasticsearch `regexp` query / EQL `regex` / ES|QL `RLIKE`:
//   new RegExp(pattern, RegExp.ALL [, ASCII_CASE_INSENSITIVE])  ->  toAutomaton(10000)
//   ->  CharacterRunAutomaton.run(input), a WHOLE-string match over code points.
//
// Line protocol on stdin, one request per line, fields separated by a tab:
//   <flags> TAB <base64 UTF-8 pattern> TAB <count> TAB <base64 input>,<base64 input>,...
// flags: "-" or a comma list of
//   ci        ASCII_CASE_INSENSITIVE match flag (regex~ / case_insensitive: true)
//   none      syntax flags NONE instead of ALL (no # @ & < > ~ operators)
//   maxlen=N  reject patterns longer than N chars, like ES index.max_regex_length
// Answer, one line per request, in order:
//   OK <one 0/1 per input>      or      ERR <exception class>: <message>
// On start the program prints "READY <Lucene version>".
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.apache.lucene.util.Version;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.RegExp;

public final class LuceneOracle {
  private static final int MAX_DETERMINIZED_STATES = 10000;

  private LuceneOracle() {}

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String answer(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 4) return "ERR protocol: expected 4 tab-separated fields, got " + f.length;
    int syntax = RegExp.ALL;
    int match = 0;
    int maxLen = -1;
    if (!f[0].equals("-")) {
      for (String flag : f[0].split(",")) {
        if (flag.equals("ci")) match |= RegExp.ASCII_CASE_INSENSITIVE;
        else if (flag.equals("none")) syntax = RegExp.NONE;
        else if (flag.startsWith("maxlen=")) maxLen = Integer.parseInt(flag.substring(7));
        else return "ERR protocol: unknown flag " + flag;
      }
    }
    String pattern = decode(f[1]);
    int count = Integer.parseInt(f[2]);
    String[] inputs = count == 0 ? new String[0] : f[3].split(",", -1);
    if (inputs.length != count) return "ERR protocol: " + count + " inputs announced, " + inputs.length + " sent";
    if (maxLen >= 0 && pattern.length() > maxLen) {
      return "ERR max_regex_length: the pattern has " + pattern.length() + " characters, more than " + maxLen;
    }
    CharacterRunAutomaton run;
    try {
      Automaton a = new RegExp(pattern, syntax, match).toAutomaton(MAX_DETERMINIZED_STATES);
      run = new CharacterRunAutomaton(a, MAX_DETERMINIZED_STATES);
    } catch (RuntimeException e) {
      return "ERR " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
    }
    StringBuilder out = new StringBuilder(3 + count).append("OK ");
    for (String input : inputs) out.append(run.run(decode(input)) ? '1' : '0');
    return out.toString();
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    out.write("READY " + Version.LATEST + "\n");
    out.flush();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String reply;
      try {
        reply = answer(line);
      } catch (RuntimeException e) {
        reply = "ERR protocol: " + e;
      }
      out.write(reply.replace('\n', ' '));
      out.write('\n');
      // Answer at once when no further request is already waiting (keeps the pipe moving).
      if (!in.ready()) out.flush();
    }
    out.flush();
  }
}
