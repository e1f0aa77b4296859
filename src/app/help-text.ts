import {REFRESH_RANGE_TEXT} from '../core/refresh-range.js';
import {SPEED_RANGE_TEXT} from '../core/speed-range.js';

/**
 * package.json's description wrapped to 80 columns: meow prints it above both help texts (a
 * test holds it to package.json's, word for word).
 */
export const HELP_DESCRIPTION = [
  'A terminal dashboard over a simulated virtualization cluster whose guests',
  'turn secure at run time',
].join('\n');

/**
 * The `--help` text: every line at most 80 columns, each description wrapped under its own
 * column (a hanging indent), as GNU and meow programs print theirs.
 */
export const HELP_TEXT = `
  Usage
    $ svmtop [options]                the dashboard on the default world
    $ svmtop --headless [options]     run without a terminal, print JSON lines
    $ svmtop ticket --key FILE (--guest NAME | --kernel K [--initrd I]
        [--size S]) [--config FILE]
                                      sign a guest image: prints the ticket
                                      signature

  Options
    --config FILE      world to load (default: the embedded default world)
    --seed N           random seed, 0..4294967295 (default 1, or the scenario's)
    --headless         print JSON lines: events, a snapshot every interval, a
                       summary
    --scenario FILE    headless: steps to run and expectations to check
    --duration T       headless: simulated time to run, like 60s or 2m
                       (default 60s, or the scenario's)
    --interval T       headless: simulated time between snapshots (default 1s)
    --speed X          dashboard: simulated seconds per wall second,
                       ${SPEED_RANGE_TEXT} (default 1, or your saved preference;
                       + and - step through 1/64 to 512 by powers of two and
                       the bounds); headless with --qmp: the same (default 1)
    --qmp DIR          a QMP monitor per VM at DIR/<vm>.qmp (headless then runs
                       in real time)
    --refresh T        dashboard: screen refresh interval, ${REFRESH_RANGE_TEXT}, like
                       1s or 500ms (default 2s; remembered)
    --no-color         no colours (NO_COLOR=1 does the same)
    --reset-prefs      forget saved dashboard preferences
    -h, --help         this text
    -v, -V, --version  svmtop's version

  Exit codes
    0 ok  1 a scenario expectation failed  2 bad input (flags, config, scenario)
    74 headless output failed (stdout not writable; a reader that closed the
       pipe early is 0)
    143, 130, 129 headless cut short by SIGTERM, SIGINT, SIGHUP (summary
       written first); with --qmp a signal is how the run ends: 0, 1 if an
       expectation failed, 2 if an expectation's path names no snapshot field

  Keys (dashboard): ? for help, q to quit.
`;

/** `svmtop ticket --help`. */
export const TICKET_HELP_TEXT = `
  Usage
    $ svmtop ticket --key FILE (--guest NAME | --kernel K [--initrd I]
        [--size S]) [--config FILE]
      prints the ticket signature of a guest image

  Options
    --key FILE         the Ed25519 private key (PEM) that signs
    --guest NAME       sign the image of that guest of the world
    --kernel K         or describe an image: its kernel,
    --initrd I         its initrd (default none)
    --size S           and its size, like 256KiB (default 256KiB)
    --config FILE      world to load (default: the embedded default world)
    -h, --help         this text
    -v, -V, --version  svmtop's version
`;
