/**
 * The reference #6 gives for scale: a naive Ink loop redrawing 30 rows once a second, with the
 * dashboard's own render options. No simulation, no memoisation: a row of changing numbers each.
 * Run in a pseudo-terminal by the dashboard benchmark, in the same run as the dashboard itself.
 */
import {Box, render, Text} from 'ink';
import {useEffect, useState} from 'react';

const ROWS = 30;

function NaiveLoop() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((value) => value + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Box flexDirection="column">
      {Array.from({length: ROWS}, (_, row) => (
        <Text key={row}>
          {`row ${String(row).padStart(2)}  ${String((tick * 7919 + row * 104_729) % 100_000).padStart(6)}  `}
          {'value '.repeat(16)}
        </Text>
      ))}
    </Box>
  );
}

render(<NaiveLoop />, {
  interactive: true,
  alternateScreen: true,
  incrementalRendering: true,
  maxFps: 20,
  patchConsole: false,
});
