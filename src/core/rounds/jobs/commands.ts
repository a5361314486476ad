// How a trainer is started, as data: a program and an argument array (never a shell command line,
// so no quoting and no shell interpretation) plus environment additions.
//
// Trust: the program and the launcher options come from the user's SETTINGS (which VS Code
// restricts in untrusted workspaces); dataset text never chooses a program, an option or a
// variable. The config and script paths are files the exporter wrote. Values are still checked
// here, so a setting cannot smuggle in an extra option ("--foo" as a host name) either.
export interface TrainerCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** LLaMA-Factory's launcher settings (FORMATS.md: FORCE_TORCHRUN, NNODES, NODE_RANK, …). */
export interface LlamaFactorySettings {
  /** `llamafactory-cli` (looked up on PATH) or an absolute path to it. */
  command: string;
  nnodes?: number;
  nodeRank?: number;
  nprocPerNode?: number;
  masterAddr?: string;
  masterPort?: number;
  /**
   * Launch through torchrun. LLaMA-Factory does so by itself when it sees several GPUs; set this
   * for several nodes with one GPU each, or to be explicit.
   */
  forceTorchrun?: boolean;
}

/** `llamafactory-cli train FILE.yaml`, with the distributed variables only when they are set. */
export function llamaFactoryCommand(settings: LlamaFactorySettings, yamlPath: string): TrainerCommand {
  const program = checkProgram(settings.command, 'the LLaMA-Factory command');
  const env: Record<string, string> = {};
  if (settings.forceTorchrun) env.FORCE_TORCHRUN = '1';
  if (settings.nnodes !== undefined) env.NNODES = String(int(settings.nnodes, 'NNODES', 1));
  if (settings.nodeRank !== undefined) env.NODE_RANK = String(int(settings.nodeRank, 'NODE_RANK', 0));
  if (settings.nprocPerNode !== undefined) env.NPROC_PER_NODE = String(int(settings.nprocPerNode, 'NPROC_PER_NODE', 1));
  if (settings.masterAddr !== undefined) env.MASTER_ADDR = host(settings.masterAddr, 'MASTER_ADDR');
  if (settings.masterPort !== undefined) env.MASTER_PORT = String(port(settings.masterPort, 'MASTER_PORT'));
  if (settings.nnodes !== undefined && settings.nodeRank !== undefined && settings.nodeRank >= settings.nnodes) {
    throw new Error(`NODE_RANK ${settings.nodeRank} must be below NNODES ${settings.nnodes}`);
  }
  return { program, args: ['train', filePath(yamlPath, 'the training YAML')], env };
}

/** `accelerate launch` options for the TRL launch script. */
export interface TrlSettings {
  /** `accelerate` (looked up on PATH) or an absolute path to it. */
  accelerate: string;
  numProcesses?: number;
  numMachines?: number;
  machineRank?: number;
  mainProcessIp?: string;
  mainProcessPort?: number;
  /** An accelerate config file (`accelerate config` writes one). */
  configFile?: string;
}

/** The trainers the exported TRL launch script runs (SimPO is CPOTrainer; IPO is DPOTrainer's ipo loss). */
export type TrlTrainer = 'cpo' | 'dpo' | 'orpo' | 'sft';
const TRL_TRAINERS: readonly TrlTrainer[] = ['cpo', 'dpo', 'orpo', 'sft'];

/** `accelerate launch [options] SCRIPT --config CFG --trainer cpo|dpo|orpo|sft`. */
export function trlCommand(settings: TrlSettings, scriptPath: string, configPath: string, trainer: TrlTrainer): TrainerCommand {
  const program = checkProgram(settings.accelerate, 'the accelerate command');
  if (!TRL_TRAINERS.includes(trainer)) throw new Error(`unknown TRL trainer ${JSON.stringify(trainer)} (${TRL_TRAINERS.join(', ')})`);
  const opts: string[] = [];
  if (settings.configFile !== undefined) opts.push('--config_file', filePath(settings.configFile, 'the accelerate config file'));
  if (settings.numProcesses !== undefined) opts.push('--num_processes', String(int(settings.numProcesses, 'num_processes', 1)));
  if (settings.numMachines !== undefined) opts.push('--num_machines', String(int(settings.numMachines, 'num_machines', 1)));
  if (settings.machineRank !== undefined) opts.push('--machine_rank', String(int(settings.machineRank, 'machine_rank', 0)));
  if (settings.mainProcessIp !== undefined) opts.push('--main_process_ip', host(settings.mainProcessIp, 'main_process_ip'));
  if (settings.mainProcessPort !== undefined) opts.push('--main_process_port', String(port(settings.mainProcessPort, 'main_process_port')));
  return {
    program,
    args: ['launch', ...opts, filePath(scriptPath, 'the launch script'), '--config', filePath(configPath, 'the TRL config'), '--trainer', trainer],
    env: {},
  };
}

function checkProgram(command: string | undefined, what: string): string {
  const c = (command ?? '').trim();
  if (!c) throw new Error(`${what} is not set: give a program name on PATH or an absolute path in the settings`);
  if (c.startsWith('-')) throw new Error(`${what} ${JSON.stringify(c)} is an option, not a program`);
  return c;
}

/** A path that cannot be mistaken for an option (argument parsers read "-x…" as one). */
function filePath(p: string, what: string): string {
  if (!p) throw new Error(`${what} has no path`);
  return p.startsWith('-') ? `./${p}` : p;
}

function int(v: number, what: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer of at least ${min}, not ${v}`);
  return v;
}

function port(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${what} must be a port number (1-65535), not ${v}`);
  return v;
}

/** A host name or an IPv4/IPv6 address. */
function host(v: string, what: string): string {
  const h = v.trim();
  if (!/^[A-Za-z0-9.:[\]_-]+$/.test(h) || h.startsWith('-')) throw new Error(`${what} ${JSON.stringify(v)} is not a host name or address`);
  return h;
}
