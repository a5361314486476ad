// Trainer job backends: local trainers through the detached runner (LLaMA-Factory, TRL via
// accelerate, any program), OpenAI preference fine-tuning, and the trainer-log reader they share.
export * from './local';
export * from './openai';
export { parseTrainerLogLine, TrainerLogTail } from './trainerLog';
export { JOB_FILES, type RunnerSpec, type RunnerStatus } from './spec';
