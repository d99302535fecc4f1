import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.ts';

// The host runs the engine's worker in its own process: the processor takes jobs until SIGTERM.
const app = await NestFactory.createApplicationContext(AppModule.register(process.env));
app.enableShutdownHooks();
