import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { Account, AuditEvent, Report, ReportingItem } from '../../entities';
import { PageInfo } from './page-info.type';

/**
 * A Relay connection page. `totalCount` is a thunk so the count query runs only when a client
 * asks for it (keeps the reports page within its statement budget).
 */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

export function connectionTypes<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows the viewer may see across all pages.' })
    totalCount!: number;
  }
  return { Edge, Connection };
}

export const AccountConnection = connectionTypes(Account, 'Account').Connection;
export const ReportConnection = connectionTypes(Report, 'Report').Connection;
export const ReportingItemConnection = connectionTypes(ReportingItem, 'ReportingItem').Connection;
export const AuditEventConnection = connectionTypes(AuditEvent, 'AuditEvent').Connection;
